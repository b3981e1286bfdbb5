package model_test

import (
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/model"
)

const queueBlock = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"

func TestLibraryUserOverBuiltin(t *testing.T) {
	builtin := fstest.MapFS{
		"q/block.yaml":     {Data: []byte("Description: built in\n" + queueBlock)},
		"only/block.yaml":  {Data: []byte("Description: only built in\n" + queueBlock)},
		"alarms.yaml":      {Data: []byte("actions: ops.TopicArn\nalarms: {}\n")},
		"notes/readme.txt": {Data: []byte("not a block")},
	}
	user := fstest.MapFS{
		"blocks/q/block.yaml":    {Data: []byte("Description: the user's\n" + queueBlock)},
		"blocks/mine/block.yaml": {Data: []byte(queueBlock)},
		"blocks/alarms.yaml":     {Data: []byte("actions: mine.TopicArn\nalarms: {}\n")},
	}
	lib := model.NewLibrary(user, builtin)
	for _, c := range []struct {
		file    string
		builtin bool
		data    string // "" when the library has no such file
	}{
		{"blocks/q/block.yaml", false, "Description: the user's\n" + queueBlock},
		{"blocks/only/block.yaml", true, "Description: only built in\n" + queueBlock},
		{"blocks/mine/block.yaml", false, queueBlock},
		{"blocks/alarms.yaml", false, "actions: mine.TopicArn\nalarms: {}\n"},
		{"blocks/none/block.yaml", false, ""},
		{"blocks/notes/readme.txt", false, ""},
		{"q/block.yaml", false, ""}, // the built-in tree's own path is not a position's
		{"riglets/x.yaml", false, ""},
	} {
		if got := lib.IsBuiltin(c.file); got != c.builtin {
			t.Errorf("IsBuiltin(%s) = %v, want %v", c.file, got, c.builtin)
		}
		data, err := lib.ReadFile(c.file)
		if c.data == "" {
			if err == nil {
				t.Errorf("ReadFile(%s) = %q, want an error", c.file, data)
			}
		} else if err != nil || string(data) != c.data {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", c.file, data, err, c.data)
		}
	}
	if b, err := lib.Get("q"); err != nil || b.Description != "the user's" || b.File != "blocks/q/block.yaml" {
		t.Errorf("Get(q) = %+v, %v; want the user's block", b, err)
	}
	if b, err := lib.Get("only"); err != nil || b.Description != "only built in" || b.File != "blocks/only/block.yaml" {
		t.Errorf("Get(only) = %+v, %v; want the built-in block, at its position path", b, err)
	}
	cat, err := lib.Catalogue()
	if err != nil || cat.Actions != "mine.TopicArn" {
		t.Errorf("Catalogue() = %+v, %v; want the user's", cat, err)
	}

	// without a user catalogue, the built-in one is in effect
	lib = model.NewLibrary(fstest.MapFS{}, builtin)
	if !lib.IsBuiltin(alarms.File) {
		t.Errorf("IsBuiltin(%s) = false with no user catalogue", alarms.File)
	}
	if cat, err := lib.Catalogue(); err != nil || cat.Actions != "ops.TopicArn" {
		t.Errorf("Catalogue() = %+v, %v; want the built-in one", cat, err)
	}
	// and with no library at all, none
	if cat, err := model.NewLibrary(nil, nil).Catalogue(); cat != nil || err != nil {
		t.Errorf("Catalogue() of an empty library = %+v, %v", cat, err)
	}
}
