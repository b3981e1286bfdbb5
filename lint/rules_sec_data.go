package lint

import (
	"strings"

	"github.com/riglet/riglet/ir"
)

// The security family: data at rest and in transit in data stores, and keys.

// notTrue reports whether a boolean setting is known not to be true: absent (when
// its default is off) or a literal false. A value the linter cannot see is not.
func notTrue(n *ir.Node) bool {
	if n == nil {
		return true
	}
	s, ok := literal(n)
	return ok && !strings.EqualFold(s, "true")
}

// blockDevices returns the EBS settings of a resource's block device mappings: an
// instance's, a launch template's or a launch configuration's.
func blockDevices(r *Resource) []*ir.Node {
	var m *ir.Node
	switch r.Type {
	case "AWS::EC2::LaunchTemplate":
		m = r.Prop("LaunchTemplateData.BlockDeviceMappings")
	default:
		m = r.Props.Get("BlockDeviceMappings")
	}
	var out []*ir.Node
	for _, d := range list(m) {
		if ebs := d.Get("Ebs"); ebs != nil && !isIntrinsic(ebs) {
			out = append(out, ebs)
		}
	}
	return out
}

func runEBSUnencrypted(p *Pass, r *Resource) {
	if r.Type == "AWS::EC2::Volume" {
		// a volume made from a snapshot is encrypted as the snapshot is
		if enc := r.Props.Get("Encrypted"); notTrue(enc) && (enc != nil || r.Props.Get("SnapshotId") == nil) {
			p.Report(r, enc, "EBS volume %s is not encrypted: set Encrypted: true", r.ID)
		}
		return
	}
	for _, ebs := range blockDevices(r) {
		if enc := ebs.Get("Encrypted"); notTrue(enc) && (enc != nil || ebs.Get("SnapshotId") == nil) {
			at := enc
			if at == nil {
				at = ebs
			}
			p.Report(r, at, "a block device of %s is not encrypted: set Ebs.Encrypted: true", r.ID)
		}
	}
}

func runEFSUnencrypted(p *Pass, r *Resource) {
	if enc := r.Props.Get("Encrypted"); notTrue(enc) {
		p.Report(r, enc, "EFS file system %s is not encrypted at rest: set Encrypted: true (it cannot be turned on later)", r.ID)
	}
}

func runOpenSearchEncryption(p *Pass, r *Resource) {
	var missing []string
	var at *ir.Node
	for _, c := range []struct{ path, what string }{
		{"EncryptionAtRestOptions.Enabled", "encryption at rest"},
		{"NodeToNodeEncryptionOptions.Enabled", "node-to-node encryption"},
		{"DomainEndpointOptions.EnforceHTTPS", "HTTPS enforcement"},
	} {
		if n := r.Prop(c.path); notTrue(n) {
			missing = append(missing, c.what)
			if at == nil {
				at = n
			}
		}
	}
	if len(missing) > 0 {
		p.Report(r, at, "domain %s has no %s", r.ID, strings.Join(missing, ", "))
	}
	if !isTrue(r.Prop("DomainEndpointOptions.EnforceHTTPS")) {
		return
	}
	tp := r.Prop("DomainEndpointOptions.TLSSecurityPolicy")
	s, ok := literal(tp)
	switch {
	case tp == nil:
		p.Report(r, r.Prop("DomainEndpointOptions.EnforceHTTPS"), "domain %s sets no TLSSecurityPolicy, and the default accepts TLS 1.0; use Policy-Min-TLS-1-2-PFS-2023-10", r.ID)
	case ok && !strings.HasPrefix(s, "Policy-Min-TLS-1-2"):
		p.Report(r, tp, "domain %s accepts TLS older than 1.2 (%s); use Policy-Min-TLS-1-2-PFS-2023-10", r.ID, s)
	}
}

func runElastiCacheEncryption(p *Pass, r *Resource) {
	if r.Type == "AWS::ElastiCache::CacheCluster" {
		eng, ok := literal(r.Props.Get("Engine"))
		if !ok {
			return
		}
		if t := r.Props.Get("TransitEncryptionEnabled"); notTrue(t) {
			p.Report(r, t, "cache cluster %s is not encrypted in transit: set TransitEncryptionEnabled: true", r.ID)
		}
		if eng == "redis" || eng == "valkey" {
			p.Report(r, r.Props.Get("Engine"), "cache cluster %s cannot be encrypted at rest: a stand-alone %s cluster has no such option; use an AWS::ElastiCache::ReplicationGroup", r.ID, eng)
		}
		return
	}
	var missing []string
	var at *ir.Node
	for _, c := range []struct{ key, what string }{{"AtRestEncryptionEnabled", "at rest"}, {"TransitEncryptionEnabled", "in transit"}} {
		if n := r.Props.Get(c.key); notTrue(n) {
			missing = append(missing, c.what)
			if at == nil {
				at = n
			}
		}
	}
	if len(missing) > 0 {
		p.Report(r, at, "replication group %s is not encrypted %s", r.ID, strings.Join(missing, " or "))
	}
}

func runRDSPublic(p *Pass, r *Resource) {
	if pa := r.Props.Get("PubliclyAccessible"); isTrue(pa) {
		p.Report(r, pa, "%s %s is publicly accessible: it gets a public address, reachable from the internet wherever a security group lets it", strings.TrimPrefix(r.Type, "AWS::RDS::"), r.ID)
	}
}

// rotatable reports whether a KMS key is one KMS can rotate: a symmetric
// encryption key with key material of KMS's own.
func rotatable(r *Resource) bool {
	spec, ok := literal(r.Props.Get("KeySpec"))
	if r.Props.Get("KeySpec") != nil && (!ok || spec != "SYMMETRIC_DEFAULT") {
		return false
	}
	if u, ok := literal(r.Props.Get("KeyUsage")); r.Props.Get("KeyUsage") != nil && (!ok || u != "ENCRYPT_DECRYPT") {
		return false
	}
	o, ok := literal(r.Props.Get("Origin"))
	return r.Props.Get("Origin") == nil || ok && o == "AWS_KMS"
}

func runKMSRotation(p *Pass, r *Resource) {
	if rot := r.Props.Get("EnableKeyRotation"); rotatable(r) && notTrue(rot) {
		p.Report(r, rot, "KMS key %s is never rotated: set EnableKeyRotation: true", r.ID)
	}
}

func init() {
	register(
		&Rule{ID: "SEC022", Name: "ebs-unencrypted", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an unencrypted EBS volume or block device",
			Doc:   "EBS volumes, and the block devices of instances, launch templates and launch configurations, are encrypted only when Encrypted is true (or the account turned on encryption by default, which a template cannot see). Set it: encryption cannot be added to a volume later, and a snapshot of an unencrypted volume is unencrypted too. (A volume or device made from a snapshot follows the snapshot.)",
			Bad:   "BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {VolumeSize: 30}}]\n", Good: "BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {VolumeSize: 30, Encrypted: true}}]\n",
			Scanners: []string{"cdk-nag AwsSolutions-EC26", "cfn-nag F1", "checkov CKV_AWS_3", "checkov CKV_AWS_8"},
			Run:      forTypes(runEBSUnencrypted, "AWS::EC2::Volume", "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")},
		&Rule{ID: "SEC023", Name: "efs-unencrypted", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an EFS file system without encryption at rest",
			Doc:   "EFS encrypts a file system at rest only when Encrypted is true at creation; it cannot be turned on later without copying the data to a new file system.",
			Bad:   "FileSystem: {Type: AWS::EFS::FileSystem, Properties: {PerformanceMode: generalPurpose}}\n", Good: "FileSystem: {Type: AWS::EFS::FileSystem, Properties: {PerformanceMode: generalPurpose, Encrypted: true}}\n",
			Scanners: []string{"cdk-nag AwsSolutions-EFS1", "cfn-nag F27", "checkov CKV_AWS_42"},
			Run:      forTypes(runEFSUnencrypted, "AWS::EFS::FileSystem")},
		&Rule{ID: "SEC024", Name: "opensearch-encryption", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an OpenSearch domain without encryption at rest, between nodes or by HTTPS",
			Doc:   "An OpenSearch (or Elasticsearch) domain keeps its indices unencrypted unless EncryptionAtRestOptions.Enabled, sends data between its nodes in clear text unless NodeToNodeEncryptionOptions.Enabled, and answers plain HTTP unless DomainEndpointOptions.EnforceHTTPS, with a TLSSecurityPolicy of TLS 1.2 (Policy-Min-TLS-1-2-PFS-2023-10). The first two cannot be turned off once on, and at rest needs a new domain on older engines.",
			Bad:   "Type: AWS::OpenSearchService::Domain\nProperties: {EngineVersion: OpenSearch_2.11}\n", Good: "EncryptionAtRestOptions: {Enabled: true}\nNodeToNodeEncryptionOptions: {Enabled: true}\nDomainEndpointOptions: {EnforceHTTPS: true, TLSSecurityPolicy: Policy-Min-TLS-1-2-PFS-2023-10}\n",
			Scanners: []string{"cdk-nag AwsSolutions-OS2", "cdk-nag AwsSolutions-OS8", "cfn-nag W54", "cfn-nag W85", "checkov CKV_AWS_5", "checkov CKV_AWS_6", "checkov CKV_AWS_83", "checkov CKV_AWS_228"},
			Run:      forTypes(runOpenSearchEncryption, "AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain")},
		&Rule{ID: "SEC025", Name: "elasticache-encryption", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an ElastiCache cache without encryption at rest or in transit",
			Doc:   "A replication group is encrypted only with AtRestEncryptionEnabled and TransitEncryptionEnabled true; both are fixed at creation. A stand-alone Redis or Valkey cache cluster cannot be encrypted at rest at all: use a replication group (of one node, if need be). Memcached has no encryption at rest; it can be encrypted in transit.",
			Bad:   "Type: AWS::ElastiCache::ReplicationGroup\nProperties: {Engine: redis, ...}\n", Good: "Properties: {Engine: redis, AtRestEncryptionEnabled: true, TransitEncryptionEnabled: true, ...}\n",
			Scanners: []string{"cdk-nag AwsSolutions-AEC3", "cfn-nag F25", "cfn-nag F33", "checkov CKV_AWS_29", "checkov CKV_AWS_30"},
			Run:      forTypes(runElastiCacheEncryption, "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster")},
		&Rule{ID: "SEC026", Name: "rds-public", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a publicly accessible RDS database",
			Doc:   "PubliclyAccessible true gives the database a public DNS name and address: one security group rule away from the internet. Databases live in the db tier and admit their clients by security group.",
			Bad:   "Type: AWS::RDS::DBInstance\nProperties: {PubliclyAccessible: true, ...}\n", Good: "Properties: {PubliclyAccessible: false, DBSubnetGroupName: !Ref DbSubnets, ...}\n",
			Scanners: []string{"cfn-nag F22", "checkov CKV_AWS_17", "cdk-nag HIPAA.Security-RDSInstancePublicAccess"},
			Run:      forTypes(runRDSPublic, "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")},
		&Rule{ID: "SEC031", Name: "kms-rotation", Family: "security", Severity: Warning, Scope: ScopeTemplate,
			Title: "a KMS key without automatic rotation",
			Doc:   "A symmetric KMS key keeps one key material for ever unless EnableKeyRotation is true; with it, KMS rotates yearly (or at RotationPeriodInDays) and still decrypts what older material encrypted. Asymmetric, HMAC and imported keys cannot rotate and are not reported.",
			Bad:   "Key: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {...}}}\n", Good: "Key: {Type: AWS::KMS::Key, Properties: {EnableKeyRotation: true, KeyPolicy: {...}}}\n",
			Scanners: []string{"cdk-nag AwsSolutions-KMS5", "cfn-nag F19", "checkov CKV_AWS_7"},
			Run:      forTypes(runKMSRotation, "AWS::KMS::Key")},
	)
}
