package docs

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
)

// fieldDocs says what each field of the JSON riglet writes means, keyed by Go type and
// field name. The fields themselves come from the types by reflection, so a field
// added, renamed or removed changes the page; one without a description here (or a
// description of no field) fails the generation, so the two never drift.
var fieldDocs = map[string]string{
	"Manifest.Version":            "The version of this shape; it rises only with a change a reader must know of.",
	"Manifest.Riglet":             "The riglet's name.",
	"Manifest.Env":                "The env, or `shared` for the riglet's shared stacks.",
	"Manifest.Account":            "The AWS account the env deploys to.",
	"Manifest.Region":             "The AWS region of every stack.",
	"Manifest.Source":             "The riglet spec the env was compiled from.",
	"Manifest.Certificate":        "The env file's ACM certificate ARN, which `make check-env` looks for in the env's region; absent when the env has none.",
	"Manifest.CertificateBlock":   "The acm-certificate instance (`stack.instance`) that makes the env's certificate when its file names none; absent otherwise.",
	"Manifest.HostedZone":         "The env file's public Route 53 hosted zone ID, which `make check-env` looks for; absent when the env has none.",
	"Manifest.Stacks":             "The stacks, in deploy order (delete in reverse).",
	"Manifest.Retired":            "Stacks removed from the spec that the lock keeps as retired (they may still be deployed), in the order to delete them; absent when there are none.",
	"Retired.Name":                "The retired stack's name in the spec it left.",
	"Retired.StackName":           "Its CloudFormation stack name.",
	"Retired.Needs":               "The stacks it needed: it is deleted before them.",
	"Manifest.LeftOut":            "Stacks of the spec that their `only:` leaves out of this env, so that make can say why one has nothing to deploy here; absent when there are none.",
	"LeftOut.Name":                "The stack's name in the spec.",
	"LeftOut.Only":                "The envs its `only:` keeps it in.",
	"Stack.Name":                  "The stack's name in the spec.",
	"Stack.StackName":             "The CloudFormation stack name, `{owner}-{riglet}-{env}-{stack}`.",
	"Stack.Template":              "The template's file name, beside stacks.json.",
	"Stack.Needs":                 "The stacks deployed before this one (its imports and `needs:`).",
	"Stack.Capabilities":          "`CAPABILITY_IAM` or `CAPABILITY_NAMED_IAM` when the template has IAM resources.",
	"Stack.Tags":                  "The tags for `aws cloudformation deploy --tags`.",
	"Stack.Parameters":            "The deploy-time parameters, with their defaults.",
	"Param.Required":              "The parameter has no default: a first deploy must give it (for ImageTag, make's IMAGE_TAG=), later deploys keep the running value.",
	"Stack.TemplateBytes":         "The template's size in bytes.",
	"Stack.OverBodyLimit":         "Over CloudFormation's 51,200 bytes for `--template-body`: deployed from S3 (`S3_BUCKET=`).",
	"Stack.TerminationProtection": "The stack gets termination protection (production).",
	"Param.Name":                  "The CloudFormation parameter's name.",
	"Param.Default":               "Its default: what a deploy without an override uses.",
	"Plan.Version":                "The version of this shape; it rises only with a change a reader must know of.",
	"Plan.Riglet":                 "The riglet's name.",
	"Plan.Env":                    "The env shown.",
	"Plan.Account":                "The env's AWS account.",
	"Plan.Region":                 "The env's AWS region.",
	"Plan.Stacks":                 "The stacks, in deploy order.",
	"Plan.Retired":                "Stacks removed from the spec that may still be deployed, in the order to delete them (`make delete-retired`, then `riglet lock prune`).",
	"PlanRetired.Name":            "The retired stack's name in the spec it left.",
	"PlanRetired.StackName":       "Its CloudFormation stack name.",
	"PlanRetired.Needs":           "The stacks it needed: it is deleted before them.",
	"Plan.Presence":               "Every `only:` of the spec, stacks and instances in spec order, and whether it keeps its stack or instance in this env; absent when the spec has none.",
	"PlanPresence.Stack":          "The stack, or the stack of the instance.",
	"PlanPresence.Instance":       "The instance whose `only:` this is; absent for the stack's own.",
	"PlanPresence.Only":           "The envs the `only:` names.",
	"PlanPresence.Here":           "Whether it exists in this env (for an instance, its stack's `only:` keeps it too): when false, the env has none of its resources, alarms, priorities or lock entries.",
	"PlanPresence.Source":         "The `only:` key, as file:line:col.",
	"Plan.Network":                "The env's CIDR plan; absent for shared stacks and for an env whose stacks make no subnet.",
	"Plan.Params":                 "With `--explain`: every parameter value of every instance and the layer that set it.",
	"Plan.Rules":                  "Every listener rule, per listener, with its priority.",
	"Plan.Alarms":                 "Every catalogue alarm of the env.",
	"Plan.AlarmCount":             "How many alarms are on (standard alarms are billed per alarm metric-month).",
	"Plan.AlarmMonthlyCost":       "Their monthly cost in US dollars at the standard price.",
	"PlanStack.Name":              "The stack's name in the spec.",
	"PlanStack.StackName":         "The CloudFormation stack name.",
	"PlanStack.Needs":             "The stacks deployed before it.",
	"PlanStack.Blocks":            "Its instances, as `instance (block)`.",
	"PlanStack.Resources":         "How many resources its template has.",
	"PlanNetwork.CIDR":            "The VPC's CIDR block.",
	"PlanNetwork.Source":          "Where it came from: the env file, the lock, or a new allocation from the pool.",
	"PlanNetwork.Subnets":         "Every subnet, by tier and AZ.",
	"PlanSubnet.Tier":             "The subnet's tier (`network.tiers`).",
	"PlanSubnet.AZ":               "Its availability zone.",
	"PlanSubnet.CIDR":             "Its CIDR block.",
	"PlanSubnet.Usable":           "Its usable addresses (AWS keeps 5 per subnet).",
	"PlanSubnet.Source":           "Where it came from: explicit, locked or newly allocated.",
	"PlanParam.Instance":          "The instance, as `stack.instance`.",
	"PlanParam.Name":              "The parameter.",
	"PlanParam.Value":             "Its value, as YAML.",
	"PlanParam.Layer":             "The layer that set it (block default, derived or wired value, env `params`, instance `params`, instance `envs`).",
	"PlanParam.Source":            "Where that layer set it, `file:line:col`.",
	"PlanParam.Overrides":         "The weaker layers it overrode, weakest first.",
	"PlanLayer.Layer":             "The weaker layer.",
	"PlanLayer.Value":             "The value it held.",
	"PlanLayer.Source":            "Where, `file:line:col`.",
	"PlanRule.Listener":           "The listener the rule is on, as its value (an output, an ARN, an import).",
	"PlanRule.Priority":           "Its priority, 1 to 50000.",
	"PlanRule.Stack":              "The stack the rule is in.",
	"PlanRule.Service":            "The instance that adds it.",
	"PlanRule.Conditions":         "Its host and path conditions.",
	"PlanRule.Source":             "`explicit`, `derived`, `locked` or `retired` (reserved in the lock for a removed rule).",
	"PlanAlarm.Stack":             "The stack the alarm is in.",
	"PlanAlarm.Resource":          "The resource it watches (logical ID).",
	"PlanAlarm.Alarm":             "The catalogue alarm's name.",
	"PlanAlarm.Threshold":         "Its threshold, or `off`.",
	"PlanAlarm.From":              "Where the threshold came from: `catalogue`, `env` or `instance`.",
	"PlanAlarm.Critical":          "The catalogue marks it critical (kept by `alarms.profile: critical`).",
	"PlanAlarm.Disabled":          "The reason it is off, when it is.",
	"JSONReport.Version":          "The version of this shape; it rises only with a change a reader must know of.",
	"JSONReport.Findings":         "Every finding, sorted by position and rule; compile errors included.",
	"JSONReport.Errors":           "How many findings are errors (`riglet lint` exits 1 when any).",
	"JSONReport.Warnings":         "How many are warnings.",
	"JSONReport.Infos":            "How many are informational.",
	"JSONFinding.Rule":            "The rule's ID ([docs/rules/](../rules/README.md)).",
	"JSONFinding.Name":            "The rule's name.",
	"JSONFinding.Severity":        "`error`, `warning` or `info`, after `--severity` and `.riglet.yaml`.",
	"JSONFinding.Envs":            "The envs the finding is in, when not every env.",
	"JSONFinding.Related":         "Other positions: the built-in block's line, the generated template's line.",
	"JSONPos.File":                "The file, relative to the directory riglet ran in: a file of the repository.",
	"JSONPos.Line":                "Its line, from 1; absent for a whole file.",
	"JSONPos.Col":                 "Its column, from 1.",
	"JSONPos.Message":             "What is wrong (a finding) or what the position is (a related one).",
}

// renderJSONPage documents the JSON shape of v's type: every field, by its JSON path.
func renderJSONPage(title, intro string, v any) ([]byte, error) {
	var w bytes.Buffer
	fmt.Fprintf(&w, "# %s\n\n%s\n\n%s\n\n", title, refGenerated, intro)
	w.WriteString("| Field | Type | What it is |\n|---|---|---|\n")
	var missing []string
	walkJSON(reflect.TypeOf(v), "", func(path, typ, key string) {
		d, ok := fieldDocs[key]
		if !ok {
			missing = append(missing, key)
		}
		fmt.Fprintf(&w, "| `%s` | %s | %s |\n", path, typ, cell(d))
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: fields without a description in docs/jsonshape.go: %s", title, strings.Join(missing, ", "))
	}
	return w.Bytes(), nil
}

// walkJSON calls f for every field of struct type t as encoding/json writes it, in
// declaration order, nested structs after their field; embedded structs are flattened.
func walkJSON(t reflect.Type, prefix string, f func(path, typ, key string)) {
	for i := 0; i < t.NumField(); i++ {
		fld := t.Field(i)
		tag := fld.Tag.Get("json")
		if tag == "-" || !fld.IsExported() {
			continue
		}
		if fld.Anonymous && tag == "" {
			walkJSON(fld.Type, prefix, func(path, typ, key string) { f(path, typ, key) })
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = fld.Name
		}
		path := prefix + name
		ft := fld.Type
		typ := jsonType(ft)
		if strings.Contains(opts, "omitempty") {
			typ += ", optional"
		}
		f(path, typ, t.Name()+"."+fld.Name)
		switch {
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			walkJSON(ft.Elem(), path+".", f)
		case ft.Kind() == reflect.Struct:
			walkJSON(ft, path+".", f)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			walkJSON(ft.Elem(), path+"[].", f)
		}
	}
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "integer"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Slice:
		return "array of " + jsonType(t.Elem())
	case reflect.Map:
		return "object of " + jsonType(t.Elem())
	case reflect.Pointer:
		return jsonType(t.Elem())
	case reflect.Struct:
		return "object"
	}
	return t.Kind().String()
}

// orphanDocs lists descriptions of fields the types no longer have.
func orphanDocs() []string {
	seen := map[string]bool{}
	for _, j := range jsonPages {
		walkJSON(reflect.TypeOf(j.value), "", func(_, _, key string) { seen[key] = true })
	}
	var out []string
	for k := range fieldDocs {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}
