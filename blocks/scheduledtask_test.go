package blocks_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// A schedule's role may run its own task definition on its cluster, pass exactly that
// task's two roles to ECS and send to its own dead-letter queue; the task admits
// nothing; the dead-letter queue is encrypted and every schedule has one.
func TestScheduledTaskLeastPrivilege(t *testing.T) {
	n := 0
	for _, s := range caseStacks(t, "testdata/ecs-scheduled-task.txtar") {
		s.each("AWS::Scheduler::Schedule", func(id string, p map[string]any) {
			n++
			prefix := strings.TrimSuffix(id, "Schedule")
			target := p["Target"].(map[string]any)
			if fmt.Sprint(target["DeadLetterConfig"]) != fmt.Sprintf("map[Arn:map[Fn::GetAtt:[%sDeadLetterQueue Arn]]]", prefix) {
				t.Errorf("%s/%s %s: dead-letter config %v", s.riglet, s.env, id, target["DeadLetterConfig"])
			}
			if q := s.resources[prefix+"DeadLetterQueue"]["Properties"].(map[string]any); q["SqsManagedSseEnabled"] != "true" {
				t.Errorf("%s/%s %sDeadLetterQueue is not encrypted", s.riglet, s.env, prefix)
			}
			role := s.resources[prefix+"ScheduleRole"]["Properties"].(map[string]any)
			var got []string
			for _, pol := range list(role["Policies"]) {
				doc := pol.(map[string]any)["PolicyDocument"].(map[string]any)
				for _, st := range list(doc["Statement"]) {
					st := st.(map[string]any)
					if st["Effect"] != "Allow" {
						continue
					}
					got = append(got, fmt.Sprintf("%v on %v", st["Action"], st["Resource"]))
				}
			}
			sort.Strings(got)
			want := []string{
				fmt.Sprintf("ecs:RunTask on map[Ref:%sTaskDefinition]", prefix),
				fmt.Sprintf("iam:PassRole on [map[Fn::GetAtt:[%sExecutionRole Arn]] map[Fn::GetAtt:[%sTaskRole Arn]]]", prefix, prefix),
				fmt.Sprintf("sqs:SendMessage on map[Fn::GetAtt:[%sDeadLetterQueue Arn]]", prefix),
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s/%s %sScheduleRole allows\n%s\nwant\n%s", s.riglet, s.env, prefix, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			sg := s.resources[prefix+"SecurityGroup"]["Properties"].(map[string]any)
			if sg["SecurityGroupIngress"] != nil || len(list(sg["SecurityGroupEgress"])) == 0 {
				t.Errorf("%s/%s %sSecurityGroup: ingress %v, egress %v; want none, and some", s.riglet, s.env, prefix, sg["SecurityGroupIngress"], sg["SecurityGroupEgress"])
			}
		})
	}
	if n != 2 {
		t.Errorf("checked %d schedules, want 2", n)
	}
}
