package diff

import (
	"regexp"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/schema"
)

// updateBehaviour is what changing one property path of a type does.
type updateBehaviour struct {
	createOnly []string // dotted schema paths ("A.*.B") whose change replaces the resource
	documented map[string]Class
}

// replacements is the update behaviour of a resource type: the registry schema's
// create-only properties, and what AWS documents beyond them.
func replacements(ty string) updateBehaviour {
	var u updateBehaviour
	if r := schema.Lookup(ty); r != nil {
		u.createOnly = r.CreateOnly
	}
	u.documented = documented[ty]
	return u
}

var index = regexp.MustCompile(`\[\d+\]`)

// verdict is Replace, MayReplace or "" for a change at a property path
// ("SecurityGroupIngress[2].CidrIp").
func (u updateBehaviour) verdict(path string) Class {
	p := strings.Split(index.ReplaceAllString(path, ".*"), ".")
	for _, c := range u.createOnly {
		if prefixOf(strings.Split(c, "."), p) || prefixOf(p, strings.Split(c, ".")) {
			return Replace
		}
	}
	if k, ok := u.documented[p[0]]; ok {
		return k
	}
	return ""
}

// prefixOf reports whether a is a prefix of b, component by component.
func prefixOf(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// documented is the update behaviour AWS documents ("Update requires: Replacement",
// or "Conditional", in the CloudFormation resource specification and the property
// reference) that the registry schemas do not mark create-only, for the resource types
// riglet's built-in blocks make. Taken from AWS's resource specification (UpdateType),
// as @aws-cdk/aws-service-spec carries it; the oracle test (oracle_test.go) holds this
// table against that spec on a corpus of template pairs and lists where they differ.
var documented = map[string]map[string]Class{
	// AWS: "KeySchema ... Update requires: Replacement"; the registry schema leaves it
	// updatable, but CloudFormation replaces the table.
	// AWS: "AttributeDefinitions ... Update requires: Some interruptions. Replacement if
	// you edit an existing AttributeDefinition" (the registry schema's own text).
	"AWS::DynamoDB::Table": {"KeySchema": Replace, "AttributeDefinitions": MayReplace},
	// AWS: "Name ... Update requires: Replacement" (a function is known by its name).
	"AWS::CloudFront::Function": {"Name": Replace},
	"AWS::EC2::Instance": {"AdditionalInfo": MayReplace, "Affinity": MayReplace, "BlockDeviceMappings": MayReplace,
		"EbsOptimized": MayReplace, "HostId": MayReplace, "InstanceType": MayReplace, "KernelId": MayReplace,
		"PrivateDnsNameOptions": MayReplace, "RamdiskId": MayReplace, "SecurityGroupIds": MayReplace,
		"Tenancy": MayReplace, "UserData": MayReplace},
	// AWS: "Domain ... Update requires: Replacement" and "LaunchType ... Update requires:
	// Replacement"; the schemas riglet now generates from (cfn-lint 1.51's corrected
	// registry view) do not list them create-only. The oracle found both.
	"AWS::EC2::EIP":     {"Domain": Replace},
	"AWS::ECS::Service": {"LaunchType": Replace},
	"AWS::EC2::Subnet":  {"Ipv6CidrBlock": MayReplace},
	"AWS::EC2::VPC":     {"InstanceTenancy": MayReplace},
	"AWS::RDS::DBCluster": {"Engine": MayReplace, "MasterUsername": MayReplace, "GlobalClusterIdentifier": MayReplace,
		"SnapshotIdentifier": MayReplace},
	"AWS::RDS::DBInstance": {"AutoMinorVersionUpgrade": MayReplace, "AvailabilityZone": MayReplace,
		"BackupRetentionPeriod": MayReplace, "DBClusterSnapshotIdentifier": MayReplace, "DBParameterGroupName": MayReplace,
		"DBSnapshotIdentifier": MayReplace, "Engine": MayReplace, "MultiAZ": MayReplace,
		"PerformanceInsightsKMSKeyId": MayReplace, "PreferredMaintenanceWindow": MayReplace, "RestoreTime": MayReplace,
		"SourceDBClusterIdentifier": MayReplace, "SourceDBInstanceAutomatedBackupsArn": MayReplace,
		"SourceDBInstanceIdentifier": MayReplace, "SourceDbiResourceId": MayReplace, "StorageType": MayReplace,
		"UseLatestRestorableTime": MayReplace},
}

// stateful are the resource types whose deletion loses data: databases, tables,
// buckets, file systems, search domains, queues (their messages), log groups, keys
// and secrets (what they encrypt or guard).
var stateful = map[string]bool{
	"AWS::RDS::DBInstance": true, "AWS::RDS::DBCluster": true, "AWS::DynamoDB::Table": true,
	"AWS::DynamoDB::GlobalTable": true, "AWS::S3::Bucket": true, "AWS::EFS::FileSystem": true,
	"AWS::FSx::FileSystem": true, "AWS::OpenSearchService::Domain": true, "AWS::Elasticsearch::Domain": true,
	"AWS::SQS::Queue": true, "AWS::Logs::LogGroup": true, "AWS::DocDB::DBCluster": true,
	"AWS::Neptune::DBCluster": true, "AWS::Redshift::Cluster": true, "AWS::Kinesis::Stream": true,
	"AWS::ElastiCache::ReplicationGroup": true, "AWS::KMS::Key": true, "AWS::SecretsManager::Secret": true,
	"AWS::ECR::Repository": true, "AWS::EC2::Volume": true,
}

// losesData says why deleting (policy DeletionPolicy) or replacing (policy
// UpdateReplacePolicy) the resource r loses data, or "" when it does not.
func losesData(r *ir.Node, policy string) string {
	ty := typeOf(r)
	if !stateful[ty] {
		return ""
	}
	switch v := txt(r.Get(policy)); v {
	case "Retain", "RetainExceptOnCreate", "Snapshot":
		if v != "Snapshot" || snapshots[ty] {
			return ""
		}
	}
	what := "its data"
	switch ty {
	case "AWS::SQS::Queue":
		what = "the messages in it"
	case "AWS::Logs::LogGroup":
		what = "its logs"
	case "AWS::S3::Bucket":
		what = "its objects (CloudFormation cannot delete a bucket that holds any: the update fails)"
	case "AWS::KMS::Key":
		what = "whatever it encrypts (the key is scheduled for deletion)"
	case "AWS::SecretsManager::Secret":
		what = "the secret's value"
	}
	return "a stateful " + ty + " without " + policy + ": Retain or Snapshot loses " + what
}

// snapshots are the types DeletionPolicy: Snapshot applies to.
var snapshots = map[string]bool{
	"AWS::RDS::DBInstance": true, "AWS::RDS::DBCluster": true, "AWS::EC2::Volume": true,
	"AWS::ElastiCache::ReplicationGroup": true, "AWS::Redshift::Cluster": true, "AWS::DocDB::DBCluster": true,
	"AWS::Neptune::DBCluster": true,
}
