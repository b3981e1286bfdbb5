package compiler_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/emit"
	"github.com/riglet/riglet/ir"
)

const fuzzEnv = `env: dev
account: "111122223333"
region: us-east-1
azs: [us-east-1a, us-east-1b]
cidr: 10.3.0.0/16
`

const fuzzSpec = `riglet: fz
owner: acme
envs: [dev]
stacks:
  s:
    blocks:
      b: {block: fz, params: {P: hello, L: "a,b"}}
`

// FuzzCompileBlock compiles arbitrary block text: the compiler must return a
// result or positioned errors, never panic or hang, whatever the block says.
func FuzzCompileBlock(f *testing.F) {
	for _, s := range []string{
		"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
		"Parameters:\n  P: {Type: String}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${P}-${AWS::Region}'\n",
		"Parameters:\n  L: {Type: CommaDelimitedList}\nResources:\n  Fn::ForEach::X:\n    - I\n    - !Ref L\n    - Q${I}:\n        Type: AWS::SQS::Queue\n",
		"Conditions:\n  C: !Equals [a, b]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Condition: C\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: !If [C, !Ref Q, !Ref AWS::NoValue]\n",
		"Resources:\n  Q:\n    Type: Block::fz\n",
		"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      A: !Select [5, !Cidr ['10.0.0.0/16', 4, 8]]\n      B: !Join [',', !GetAZs '']\n      C: !FindInMap [M, a, b]\n      D: !ToJsonString {k: [1, !Ref Q]}\n",
		"Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Metadata:\n      AWS::CloudFormation::Init:\n        config: {files: {/f: {content: !Sub 'path=Resources.I.Metadata'}}}\n    Properties:\n      UserData: !Base64 {Fn::Join: ['', ['cfn-signal --resource ', !Ref I, ' -r I']]}\n      AvailabilityZone: !Select [0, !GetAZs ]\n",
		"Parameters:\n  P: {Type: String, NoEcho: \"true\", AllowedPattern: '(?=h)\\\\w+'}\nResources:\n  C:\n    Type: Custom::X\n    Version: \"1.0\"\n    Properties:\n      ServiceToken: !Sub '${P}'\n      Z: !If\n      - C\n      - {\"k\":\"v\"}\n",
		`{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":{"Fn::Sub":"${AWS::Region}"}}}}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, block string) {
		fsys := fstest.MapFS{
			"envs/dev.yaml":        {Data: []byte(fuzzEnv)},
			"riglets/fz.yaml":      {Data: []byte(fuzzSpec)},
			"blocks/fz/block.yaml": {Data: []byte(block)},
		}
		var res *compiler.Result
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			res, err = compiler.Compile(fsys, builtinAlarms, "riglets/fz.yaml", compiler.Options{})
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("compile took over 5 s for block:\n%s", block)
		}
		if err != nil {
			es, ok := err.(ir.Errors)
			if !ok || len(es) == 0 {
				t.Fatalf("error %T %v is not a list of positioned errors", err, err)
			}
			return
		}
		for _, f := range res.Files() {
			if len(f.Data) == 0 {
				t.Fatalf("empty file %s", f.Path)
			}
		}
	})
}

// FuzzCompileInputs compiles an arbitrary env file, spec and block together, the
// whole input set of the CLI: whatever they say, the compiler returns a result or
// positioned errors in bounded time, never a panic. The seeds hold what once cost
// minutes and gigabytes: deep flow nesting and large scalars.
func FuzzCompileInputs(f *testing.F) {
	okBlock := "Parameters:\n  P: {Type: String}\n  L: {Type: CommaDelimitedList}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
	deep := strings.Repeat("[", 3000)
	big := strings.Repeat("x", 1<<20)
	for _, s := range [][3]string{
		{fuzzEnv, fuzzSpec, okBlock},
		{"extends: dev\n" + fuzzEnv, fuzzSpec, okBlock},
		{fuzzEnv + "params:\n  P: " + deep + "\n", fuzzSpec, okBlock},
		{fuzzEnv, strings.Replace(fuzzSpec, "P: hello", "P: "+deep, 1), okBlock},
		{fuzzEnv, fuzzSpec, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: " + deep + "\n"},
		{fuzzEnv, strings.Replace(fuzzSpec, "P: hello", "P: "+big, 1), okBlock},
		{fuzzEnv, fuzzSpec, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: '" + big + "'\n"},
		{"\ufeff" + strings.ReplaceAll(fuzzEnv, "\n", "\r\n"), strings.ReplaceAll(fuzzSpec, "\n", "\r\n"), okBlock},
		{fuzzEnv, strings.Replace(fuzzSpec, "block: fz", "blok: fz", 1), okBlock},
		{fuzzEnv, "base: &b {block: fz}\n" + strings.Replace(fuzzSpec, "{block: fz, ", "{<<: *b, block: fz, ", 1), okBlock},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, env, spec, block string) {
		fsys := fstest.MapFS{
			"envs/dev.yaml":        {Data: []byte(env)},
			"riglets/fz.yaml":      {Data: []byte(spec)},
			"blocks/fz/block.yaml": {Data: []byte(block)},
		}
		var res *compiler.Result
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			res, err = compiler.Compile(fsys, builtinAlarms, "riglets/fz.yaml", compiler.Options{})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("compile took over 10 s for env %.200q, spec %.200q, block %.200q", env, spec, block)
		}
		if err != nil {
			es, ok := err.(ir.Errors)
			if !ok || len(es) == 0 {
				t.Fatalf("error %T %v is not a list of positioned errors", err, err)
			}
			for _, e := range es {
				if e.Code == "" {
					t.Fatalf("error without a code: %v", e)
				}
				if len(e.Msg) > 4096 {
					t.Fatalf("a message of %d bytes: %.200s", len(e.Msg), e.Msg)
				}
			}
			return
		}
		for _, f := range res.Files() {
			if len(f.Data) == 0 {
				t.Fatalf("empty file %s", f.Path)
			}
		}
	})
}

// TestForEachIsBounded: a collection that would expand without bound is an error.
func TestForEachIsBounded(t *testing.T) {
	items := strings.Repeat("x,", 20000) + "x"
	block := "Parameters:\n  L: {Type: CommaDelimitedList}\nResources:\n  Fn::ForEach::X:\n    - I\n    - !Ref L\n    - Q&{I}${I}:\n        Type: AWS::SQS::Queue\n"
	spec := strings.Replace(fuzzSpec, `{P: hello, L: "a,b"}`, `{L: "`+items+`"}`, 1)
	fsys := fstest.MapFS{
		"envs/dev.yaml":        {Data: []byte(fuzzEnv)},
		"riglets/fz.yaml":      {Data: []byte(spec)},
		"blocks/fz/block.yaml": {Data: []byte(block)},
	}
	_, err := compiler.Compile(fsys, builtinAlarms, "riglets/fz.yaml", compiler.Options{})
	if err == nil || !strings.Contains(err.Error(), "Fn::ForEach produces more than") {
		t.Fatalf("err = %v", err)
	}
}

var _ = emit.Value
