package blocks_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The serverless blocks' security properties, on every template the examples generate.

// statements are the policy statements of an IAM role or policy, as plain values.
func statements(p map[string]any) []map[string]any {
	var docs []any
	if d, ok := p["PolicyDocument"]; ok {
		docs = append(docs, d)
	}
	for _, pol := range list(p["Policies"]) {
		docs = append(docs, pol.(map[string]any)["PolicyDocument"])
	}
	var out []map[string]any
	for _, d := range docs {
		for _, st := range list(d.(map[string]any)["Statement"]) {
			out = append(out, st.(map[string]any))
		}
	}
	return out
}

// A function's role may be assumed by Lambda alone, for this account only; it writes
// only its own log group and failure queue; "*" is only for the actions that have no
// resource (X-Ray, the VPC's network interfaces); sqs-consumer grants one queue and
// decrypts only through SQS.
func TestFunctionRolesLeastPrivilege(t *testing.T) {
	roles, consumers := 0, 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::IAM::Role", func(id string, p map[string]any) {
			if s.block(id) != "lambda-function" {
				return
			}
			roles++
			trust, _ := json.Marshal(p["AssumeRolePolicyDocument"])
			if !strings.Contains(string(trust), `"Service":"lambda.amazonaws.com"`) || !strings.Contains(string(trust), `"aws:SourceAccount"`) {
				t.Errorf("%s %s: trust %s is not Lambda's for this account", s.stackName, id, trust)
			}
			fn := strings.TrimSuffix(id, "Role")
			for _, st := range statements(p) {
				b, _ := json.Marshal(st["Resource"])
				res := string(b)
				switch st["Sid"] {
				case "Logs":
					if res != `{"Fn::GetAtt":["`+fn+`LogGroup","Arn"]}` {
						t.Errorf("%s %s writes logs to %s, not only its own group", s.stackName, id, res)
					}
				case "FailureQueue":
					if res != `{"Fn::GetAtt":["`+fn+`FailureQueue","Arn"]}` || st["Action"] != "sqs:SendMessage" {
						t.Errorf("%s %s: failure queue statement %v", s.stackName, id, st)
					}
				case "Tracing", "VpcNetworkInterfaces":
				default:
					t.Errorf("%s %s: unexpected statement %v", s.stackName, id, st)
				}
				if res == `"*"` && st["Sid"] != "Tracing" && st["Sid"] != "VpcNetworkInterfaces" {
					t.Errorf("%s %s: %v on every resource", s.stackName, id, st["Action"])
				}
			}
		})
		s.each("AWS::IAM::Policy", func(id string, p map[string]any) {
			if s.block(id) != "sqs-consumer" {
				return
			}
			consumers++
			for _, st := range statements(p) {
				b, _ := json.Marshal(st)
				switch st["Sid"] {
				case "Consume":
					if strings.Contains(string(b), "*") || len(list(st["Resource"])) != 1 {
						t.Errorf("%s %s consumes more than one queue: %s", s.stackName, id, b)
					}
				case "DecryptMessages":
					if st["Action"] != "kms:Decrypt" || !strings.Contains(string(b), `"kms:ViaService"`) {
						t.Errorf("%s %s decrypts other than through SQS: %s", s.stackName, id, b)
					}
				default:
					t.Errorf("%s %s: unexpected statement %s", s.stackName, id, b)
				}
			}
		})
	}
	// the serverless example's function and its consumer, in three envs
	if roles < 3 || consumers < 3 {
		t.Errorf("only %d function roles and %d consumer policies checked", roles, consumers)
	}
}

// A function may be invoked through an HTTP API only by that API; a VPC link reaches
// only its listener's port in the VPC.
func TestHttpApiPermissionsScoped(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::Lambda::Permission", func(id string, p map[string]any) {
			if s.block(id) != "http-api" {
				return
			}
			n++
			src, _ := json.Marshal(p["SourceArn"])
			api := strings.TrimSuffix(id, "FunctionPermission") + "Api"
			if p["Principal"] != "apigateway.amazonaws.com" || !strings.Contains(string(src), ":${"+api+"}/") {
				t.Errorf("%s %s lets %v invoke from %s, not only its API %s", s.stackName, id, p["Principal"], src, api)
			}
		})
		s.each("AWS::EC2::SecurityGroup", func(id string, p map[string]any) {
			if s.block(id) != "http-api" && s.block(id) != "lambda-function" {
				return
			}
			if len(list(p["SecurityGroupIngress"])) != 0 {
				t.Errorf("%s %s admits traffic: %v", s.stackName, id, p["SecurityGroupIngress"])
			}
			if len(list(p["SecurityGroupEgress"])) == 0 {
				t.Errorf("%s %s: no egress rule, which AWS reads as all traffic anywhere", s.stackName, id)
			}
		})
	}
	if n < 3 {
		t.Errorf("only %d API permissions checked", n)
	}
}
