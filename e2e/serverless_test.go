//go:build e2e

package e2e

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The serverless example (issue 17) through the Makefile: the bootstrap, the function's
// zip uploaded to it as the spec's comment says, then the env. moto holds the queue,
// the function and its event source mapping; what it does not model (the HTTP API, the
// async invoke config, alarms) is a placeholder of moto_server.py, so only the stack
// resources of those are checked.
func TestServerless(t *testing.T) {
	w := newWorld(t, "serverless")
	m := w.manifest("serverless", "staging")
	w.mustMake("create-bootstrap", "ENV=shared")

	// the code the spec names: s3://<bootstrap bucket>/functions/orders/1.zip
	zipFile := filepath.Join(t.TempDir(), "orders.zip")
	f, err := os.Create(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	src, _ := zw.Create("orders.py")
	src.Write([]byte("def handler(event, context):\n    return {\"batchItemFailures\": []}\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bucket := "acme-serverless-code-123456789012-us-west-2"
	w.aws(nil, "s3api", "put-object", "--bucket", bucket, "--key", "functions/orders/1.zip", "--body", zipFile)

	w.mustMake("create-environment", "ENV=staging")
	stacks := w.stacks()
	for _, name := range []string{"foundation", "queues", "app"} {
		if s := stacks[m.stackName(name)]; s.StackStatus != "CREATE_COMPLETE" {
			t.Errorf("stack %s is %q, want CREATE_COMPLETE", m.stackName(name), s.StackStatus)
		}
	}

	// the queue as seed 004 has it: KMS, an hour's retention, a DLQ after 3 receives
	var url struct{ QueueUrl string }
	w.aws(&url, "sqs", "get-queue-url", "--queue-name", "serverless-staging-orders")
	var attrs struct{ Attributes map[string]string }
	w.aws(&attrs, "sqs", "get-queue-attributes", "--queue-url", url.QueueUrl, "--attribute-names", "All")
	a := attrs.Attributes
	if a["KmsMasterKeyId"] != "alias/aws/sqs" || a["MessageRetentionPeriod"] != "3600" || a["VisibilityTimeout"] != "180" ||
		!strings.Contains(a["RedrivePolicy"], "serverless-staging-orders-dlq") || !strings.Contains(a["RedrivePolicy"], `"maxReceiveCount": 3`) &&
		!strings.Contains(a["RedrivePolicy"], `"maxReceiveCount":3`) {
		t.Errorf("queue attributes %v: want alias/aws/sqs, 3600 s retention, 180 s visibility, the DLQ after 3 receives", a)
	}

	// the function, from the uploaded zip, with its own role and log group
	physical := func(stack, id string) string {
		var res struct {
			StackResourceDetail struct{ PhysicalResourceId string }
		}
		w.aws(&res, "cloudformation", "describe-stack-resource", "--stack-name", m.stackName(stack), "--logical-resource-id", id)
		return res.StackResourceDetail.PhysicalResourceId
	}
	fn := physical("app", "OrdersFunction")
	var conf struct {
		Handler, Runtime, Role string
		Timeout, MemorySize    int
		LoggingConfig          struct{ LogGroup string }
	}
	w.aws(&conf, "lambda", "get-function-configuration", "--function-name", fn)
	role := physical("app", "OrdersRole")
	if conf.Handler != "orders.handler" || conf.Runtime != "python3.12" || conf.Timeout != 30 || conf.MemorySize != 512 ||
		!strings.HasSuffix(conf.Role, "/"+role) {
		t.Errorf("function %s: %+v, want orders.handler on python3.12, 30 s, 512 MB, role %s", fn, conf, role)
	}
	var groups struct {
		LogGroups []struct {
			LogGroupName    string
			RetentionInDays int
		}
	}
	w.aws(&groups, "logs", "describe-log-groups", "--log-group-name-prefix", physical("app", "OrdersLogGroup"))
	if len(groups.LogGroups) != 1 || groups.LogGroups[0].RetentionInDays != 30 {
		t.Errorf("the function's log group: %+v, want one kept 30 days", groups.LogGroups)
	}

	// the queue invokes the function in batches of 10, reporting partial failures
	var maps struct {
		EventSourceMappings []struct {
			EventSourceArn        string
			BatchSize             int
			FunctionResponseTypes []string
		}
	}
	w.aws(&maps, "lambda", "list-event-source-mappings", "--function-name", fn)
	if len(maps.EventSourceMappings) != 1 || !strings.HasSuffix(maps.EventSourceMappings[0].EventSourceArn, ":serverless-staging-orders") ||
		maps.EventSourceMappings[0].BatchSize != 10 {
		t.Errorf("event source mappings of %s: %+v, want one from serverless-staging-orders, batches of 10", fn, maps.EventSourceMappings)
	}

	// the role's one inline policy of sqs-consumer names that queue alone
	var pol struct{ PolicyDocument any }
	w.aws(&pol, "iam", "get-role-policy", "--role-name", role, "--policy-name", "sqs-consumer")
	doc, _ := json.Marshal(pol.PolicyDocument)
	if b := strings.Join(strings.Fields(string(doc)), ""); !strings.Contains(b, ":serverless-staging-orders\"") || strings.Contains(b, "sqs:*") {
		t.Errorf("sqs-consumer policy of %s: %s, want that queue only", role, b)
	}

	// the API alone may invoke the function
	var fp struct{ Policy string }
	w.aws(&fp, "lambda", "get-policy", "--function-name", fn)
	if !strings.Contains(fp.Policy, "apigateway.amazonaws.com") || !strings.Contains(fp.Policy, ":execute-api:us-west-2:123456789012:") {
		t.Errorf("resource policy of %s: %s, want apigateway.amazonaws.com from the API only", fn, fp.Policy)
	}

	// what moto does not model still stands in the stack, so its Refs resolved
	for _, id := range []string{"ApiApi", "ApiStage", "ApiFunctionIntegration", "ApiFunctionRouteGETordersid", "ApiFunctionRoutePOSTorders",
		"OrdersAsyncConfig", "OrdersSqsConsumerMapping"} {
		if physical("app", id) == "" {
			t.Errorf("app stack resource %s has no physical ID", id)
		}
	}
}
