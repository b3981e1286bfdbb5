"""Start moto_server with the fixes riglet's end-to-end test needs.

moto 5.x (checked with 5.2.1) runs a stack deployed by `aws cloudformation deploy`, which
works through change sets, without parts the Makefile relies on in AWS. Each patch below is
small, mostly reuses what moto does for CreateStack, and makes moto do what CloudFormation
does; none changes a template. If moto's internals move, the script stops with a message.

1. ExecuteChangeSet resolves no Outputs and registers no Exports, and a stack made by a
   change set resolves Fn::ImportValue against an empty map ("No export named ...").
2. CreateChangeSet with an unchanged template and parameters fails with "No updates are
   to be performed." (that is UpdateStack's error); AWS makes a FAILED change set whose
   reason says it "didn't contain changes", which `deploy --no-fail-on-empty-changeset`
   accepts.
3. Stack tags reach EC2 resources only on CreateStack; AWS propagates them on change sets.
4. UpdateTerminationProtection is not implemented, and DeleteStack ignores protection.
5. Its YAML reader turns a short-form tag over a mapping (`!Base64` followed by
   `Fn::Sub: ...`, valid CloudFormation that rain's layout writes) into parser nodes.
6. A resource of a type its CloudFormation does not model (AWS::ECS::CapacityProvider,
   AWS::CloudWatch::Alarm, ...) is skipped, so its Ref is empty, an Output of it vanishes,
   and a later stack's Fn::ImportValue of that export fails. Such a resource becomes a
   placeholder with a generated physical ID, as CloudFormation would give it (an ARN for
   the types whose Ref is one, such as a secret); nothing is
   created in any service, and the test asserts only on what the services hold.
7. Fn::GetAtt of a target group (TargetGroupFullName, ...) fails inside moto, and of a load
   balancer's LoadBalancerFullName, CanonicalHostedZoneID or SecurityGroups is empty.
8. A parameter used only inside Fn::Sub (`!Sub ...:${ImageTag}`) is not seen as a
   reference, so an update that changes only that parameter leaves the resource as it was.
9. DeleteStack leaves route tables, NAT gateways and VPC endpoints (their models have no
   delete), so the VPC "has dependencies" and the stack cannot be deleted at all.
10. An update of an ECS task definition registers its containers with CloudFormation's
   key case (Image) where moto reads the API's (image), so the new revision has no image.
11. An update that modifies a resource whose model has no update (a target group's health
   check, for one) drops the resource from the stack: every later Ref or GetAtt of it fails
   with "references undefined resource". AWS updates such properties in place: the
   resource is kept, and a target group's health check settings are applied to it.
12. An Aurora DB instance (one with a DBClusterIdentifier) fails inside moto, which has no
   engine version for it and does not model its cluster: it is a placeholder like the cluster.
13. DeleteStack leaves an AWS::IAM::ManagedPolicy attached to its roles (its model has no
   delete), so the stack's roles "must detach all policies first" and the stack cannot be
   deleted. AWS deletes the policy, detaching it, before the roles it names.
14. A change set of a parameter change alone (IMAGE_TAG=) lists no changes: its diff
   ignores the parameters, which UpdateStack's diff takes. AWS lists the resources that
   use the parameter as modified.
15. AWS::CertificateManager::Certificate is not modelled: as a placeholder its Ref is no
   certificate ACM holds, and an HTTPS listener that names it fails ("Certificate not
   found"). AWS issues the certificate (after DNS validation, which moto does not do) and
   its Ref is the ARN: the certificate is requested from moto's ACM, and deleted with it.
16. An AWS::ElasticLoadBalancingV2::LoadBalancer ignores its Type: every one is an
   application load balancer, whose listeners refuse TCP and TLS (moto's API makes a
   network one when asked). AWS makes the type the template says.

Usage: python3 moto_server.py [moto_server arguments]
"""

import re
import sys

import moto
import yaml
from moto.cloudformation import models, parsing, responses, utils
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult
from moto.ec2 import models as ec2_models
from moto.ecs import models as ecs_models
from moto.elbv2 import models as elbv2_models
from moto.iam import models as iam_models
from moto.rds import models as rds_models
from moto.ec2.models.core import TaggedEC2Resource


def _require(obj, *names):
    for n in names:
        if not hasattr(obj, n):
            sys.exit(f"moto {moto.__version__}: {obj.__name__}.{n} is missing; "
                     "e2e/testdata/moto_server.py needs updating for this moto")


_require(models.ChangeSet, "apply", "diff")
_require(models.Stack, "_create_output_map", "exports")
_require(models.CloudFormationBackend, "_validate_export_uniqueness", "delete_stack", "get_stack")
_require(utils, "yaml_tag_constructor")
_require(elbv2_models, "FakeTargetGroup", "FakeLoadBalancer")
_require(parsing.ResourceMap, "_delete_resource")
_require(ecs_models, "TaskDefinition", "remap_nested_keys", "pascal_to_camelcase")
_require(parsing, "get_references_from_template", "resource_class_from_type", "get_model_map", "NULL_MODELS",
         "parse_and_update_resource")
_require(elbv2_models, "elbv2_backends")
_require(rds_models, "DBInstance")
_require(iam_models, "ManagedPolicy")
_require(responses.CloudFormationResponse, "_validate_different_update", "create_change_set")


def _apply(self):
    stack = self.stack
    backend = models.cloudformation_backends[stack.account_id][stack.region_name]
    # (1) imports resolve against the region's live exports, as CreateStack's stacks do
    stack.cross_stack_resources = backend.exports
    stack.resource_map.cross_stack_resources = backend.exports
    old_exports = [e.name for e in stack.exports]
    stack.resource_map.update(self.template_dict, self.parameters)
    stack.template, stack.template_dict = self.template, self.template_dict
    stack.parameters = self.parameters
    if self.tags:
        stack.tags = self.tags
    stack.output_map = stack._create_output_map()
    for name in old_exports:
        backend.exports.pop(name, None)
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export
    # (3) what ResourceMap.create does for CreateStack
    tags = dict(stack.tags)
    tags["aws:cloudformation:stack-name"] = stack.name
    tags["aws:cloudformation:stack-id"] = stack.stack_id
    ec2 = ec2_models.ec2_backends[stack.account_id][stack.region_name]
    for logical_id in self.template_dict.get("Resources", {}):
        instance = stack.resource_map[logical_id]
        if isinstance(instance, TaggedEC2Resource):
            ec2.create_tags([instance.physical_resource_id],
                            dict(tags, **{"aws:cloudformation:logical-id": logical_id}))


models.ChangeSet.apply = _apply

# (2) only UpdateStack reports "No updates are to be performed"
_create_change_set = responses.CloudFormationResponse.create_change_set


def _create_change_set_no_update_check(self):
    self._validate_different_update = lambda *a, **k: None
    try:
        return _create_change_set(self)
    finally:
        del self._validate_different_update


responses.CloudFormationResponse.create_change_set = _create_change_set_no_update_check


# (4) termination protection
def _update_termination_protection(self):
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection")
    return ActionResult({"StackId": stack.stack_id})


responses.CloudFormationResponse.update_termination_protection = _update_termination_protection

_delete_stack = models.CloudFormationBackend.delete_stack


def _delete_protected(self, name_or_stack_id):
    for stack in self.stacks.values():
        if name_or_stack_id in (stack.name, stack.stack_id) and stack.enable_termination_protection:
            raise ValidationError(
                stack.stack_id,
                message=f"Stack [{stack.stack_id}] cannot be deleted while TerminationProtection is enabled")
    return _delete_stack(self, name_or_stack_id)


models.CloudFormationBackend.delete_stack = _delete_protected

_yaml_tag_constructor = utils.yaml_tag_constructor


def _tag_constructor(loader, tag, node):
    # (5) a short tag over a mapping is the long form inside: !Base64 {Fn::Sub: x}
    if isinstance(node, yaml.MappingNode):
        key = "Ref" if tag == "!Ref" else f"Fn::{tag[1:]}"
        return {key: loader.construct_mapping(node, deep=True)}
    return _yaml_tag_constructor(loader, tag, node)


for module in (utils, models, responses):
    module.yaml_tag_constructor = _tag_constructor



class Placeholder(CloudFormationModel):
    """(6) a resource moto does not model: a name to Ref, nothing behind it."""

    __module__ = "moto.cloudformation"  # moto's model registry keys models by service

    # the types whose Ref is an ARN in AWS, and its form: a policy that names one is
    # checked by moto's IAM, which wants an ARN
    ARNS = {
        "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}",
    }

    def __init__(self, name, physical=None, arn=None):
        self.name = name
        self.physical = physical or name
        self.arn = arn or f"arn:aws:placeholder:us-east-1:123456789012:{name}"

    @property
    def physical_resource_id(self):
        return self.physical

    @classmethod
    def has_cfn_attr(cls, attr):
        return True

    def get_cfn_attribute(self, attr):
        if attr.endswith("Arn"):
            return self.arn  # a policy's Resource, which moto's IAM wants as an ARN
        return f"{self.name}.{attr}"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        kind = kwargs.get("ResourceType", "")
        form = cls.ARNS.get(kind)
        physical = form.format(region=region_name, account=account_id, name=resource_name) if form else None
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "placeholder"
        return cls(resource_name, physical, physical or f"arn:aws:{service}:{region_name}:{account_id}:{resource_name}")

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        pass

    def is_created(self):
        return True


_resource_class_from_type = parsing.resource_class_from_type


def _class_or_placeholder(resource_type):
    if (resource_type in parsing.NULL_MODELS or resource_type.startswith("Custom::")
            or resource_type in parsing.get_model_map()):
        return _resource_class_from_type(resource_type)
    return Placeholder


parsing.resource_class_from_type = _class_or_placeholder



# (7) the attributes AWS documents, from what moto keeps
def _target_group_attribute(self, attr):
    values = {
        "TargetGroupArn": self.arn,
        "TargetGroupName": self.name,
        "TargetGroupFullName": self.arn.split(":")[-1],
        "LoadBalancerArns": list(getattr(self, "load_balancer_arns", [])),
    }
    if attr not in values:
        raise NotImplementedError(f'"Fn::GetAtt" : [ "{{0}}" , "{attr}" ]"')
    return values[attr]


elbv2_models.FakeTargetGroup.get_cfn_attribute = _target_group_attribute
elbv2_models.FakeTargetGroup.has_cfn_attr = classmethod(
    lambda cls, attr: attr in ("TargetGroupArn", "TargetGroupName", "TargetGroupFullName",
                               "LoadBalancerArns"))

_load_balancer_attribute = elbv2_models.FakeLoadBalancer.get_cfn_attribute


def _load_balancer_attribute_full(self, attr):
    if attr == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/")[-1]
    if attr == "CanonicalHostedZoneID":
        return self.canonical_hosted_zone_id
    if attr == "SecurityGroups":
        return list(self.security_groups)
    return _load_balancer_attribute(self, attr)


elbv2_models.FakeLoadBalancer.get_cfn_attribute = _load_balancer_attribute_full


# (16) the load balancer's Type, as create_load_balancer takes it
def _create_load_balancer_typed(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    return elbv2_models.elbv2_backends[account_id][region_name].create_load_balancer(
        resource_name, properties.get("SecurityGroups"), properties.get("Subnets"),
        scheme=properties.get("Scheme", "internet-facing"),
        loadbalancer_type=properties.get("Type", "application"))


_require(elbv2_models.ELBv2Backend, "create_load_balancer")
elbv2_models.FakeLoadBalancer.create_from_cloudformation_json = classmethod(_create_load_balancer_typed)

_get_references = parsing.get_references_from_template
_SUB_REF = re.compile(r"\$\{([^!}][^}]*)\}")


def _references_with_sub(template):
    # (8) the names in ${...} of a Fn::Sub string; the recursion into children is the
    # original function's, which calls this one back through the module
    refs = _get_references(template)
    if isinstance(template, dict) and "Fn::Sub" in template:
        sub = template["Fn::Sub"]
        text = sub[0] if isinstance(sub, list) and sub else sub
        if isinstance(text, str):
            refs.extend(m.split(".")[0] for m in _SUB_REF.findall(text))
    return refs


parsing.get_references_from_template = _references_with_sub

_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource_ec2(self, parsed_resource, resource_json):
    # (9) what DeleteStack does in AWS for the EC2 types moto cannot delete
    ec2 = ec2_models.ec2_backends[self._account_id][self._region_name]
    kind = resource_json.get("Type")
    if kind == "AWS::EC2::RouteTable":
        table = ec2.route_tables.get(parsed_resource.id)
        if table is not None:
            for association in list(table._associations):
                ec2.disassociate_route_table(association)
            ec2.delete_route_table(table.id)
    elif kind == "AWS::EC2::NatGateway":
        ec2.delete_nat_gateway(parsed_resource.id)
    elif kind == "AWS::EC2::VPCEndpoint":
        endpoint = ec2.vpc_end_points.get(parsed_resource.id)
        if endpoint is not None:
            # the routes went with their tables, whichever was deleted first
            endpoint.route_table_ids = [r for r in endpoint.route_table_ids if r in ec2.route_tables]
            ec2.delete_vpc_endpoints([endpoint.id])
    else:
        _delete_resource(self, parsed_resource, resource_json)


parsing.ResourceMap._delete_resource = _delete_resource_ec2

_update_task_definition = ecs_models.TaskDefinition.update_from_cloudformation_json.__func__


def _update_task_definition_camel(cls, original_resource, new_resource_name, cloudformation_json,
                                  account_id, region_name):
    # (10) the key case create_from_cloudformation_json already converts to
    props = dict(cloudformation_json["Properties"])
    for key in ("ContainerDefinitions", "Volumes"):
        if key in props:
            props[key] = ecs_models.remap_nested_keys(props[key], ecs_models.pascal_to_camelcase)
    return _update_task_definition(cls, original_resource, new_resource_name,
                                   dict(cloudformation_json, Properties=props), account_id, region_name)


ecs_models.TaskDefinition.update_from_cloudformation_json = classmethod(_update_task_definition_camel)

_parse_and_update_resource = parsing.parse_and_update_resource


def _update_or_keep(logical_id, resource_json, resources_map, account_id, region_name):
    # (11) moto returns None for a model without an update, and ResourceMap.update stores it
    updated = _parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    if updated is None:
        return resources_map[logical_id]
    return updated


parsing.parse_and_update_resource = _update_or_keep

# the health check properties, as CloudFormation names them, and modify_target_group's names
_HEALTH_CHECK = {
    "HealthCheckProtocol": "health_check_proto",
    "HealthCheckPort": "health_check_port",
    "HealthCheckPath": "health_check_path",
    "HealthCheckIntervalSeconds": "health_check_interval",
    "HealthCheckTimeoutSeconds": "health_check_timeout",
    "HealthyThresholdCount": "healthy_threshold_count",
    "UnhealthyThresholdCount": "unhealthy_threshold_count",
    "HealthCheckEnabled": "health_check_enabled",
}


def _update_target_group(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                         region_name):
    # (11) what AWS updates in place; properties that replace a target group are not modelled
    props = cloudformation_json.get("Properties", {})
    kwargs = {arg: props[key] for key, arg in _HEALTH_CHECK.items() if key in props}
    if "HttpCode" in props.get("Matcher", {}):
        kwargs["http_codes"] = props["Matcher"]["HttpCode"]
    backend = elbv2_models.elbv2_backends[account_id][region_name]
    return backend.modify_target_group(original_resource.arn, **kwargs)


elbv2_models.FakeTargetGroup.update_from_cloudformation_json = classmethod(_update_target_group)

_create_db_instance = rds_models.DBInstance.create_from_cloudformation_json.__func__


def _create_db_instance_or_placeholder(cls, resource_name, cloudformation_json, account_id, region_name,
                                       **kwargs):
    # (12) the instances of a cluster moto does not model
    if cloudformation_json.get("Properties", {}).get("DBClusterIdentifier"):
        return Placeholder(resource_name)
    return _create_db_instance(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


rds_models.DBInstance.create_from_cloudformation_json = classmethod(_create_db_instance_or_placeholder)



def _delete_managed_policy(self, account_id, region_name):
    # (13) detach from every role, user and group, then delete
    backend = self.backend
    for holders in (backend.roles, getattr(backend, "users", {}), getattr(backend, "groups", {})):
        for holder in list(holders.values()):
            if self.arn in holder.managed_policies:
                self.detach_from(holder)
    backend.delete_policy(self.arn)


iam_models.ManagedPolicy.delete = _delete_managed_policy

_change_set_diff = models.ChangeSet.diff


def _diff_with_parameters(self):
    # (14) the diff UpdateStack makes, with the change set's parameters
    resource_map = self.stack.resource_map
    resource_map.build_resource_diff = lambda template, parameters=None: type(resource_map).build_resource_diff(
        resource_map, template, self.parameters)
    try:
        return _change_set_diff(self)
    finally:
        del resource_map.build_resource_diff


models.ChangeSet.diff = _diff_with_parameters

class _AcmCertificate(CloudFormationModel):
    """(15) a certificate CloudFormation requests, held by moto's ACM."""

    __module__ = "moto.acm"

    def __init__(self, arn):
        self.arn = arn

    @property
    def physical_resource_id(self):
        return self.arn

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::CertificateManager::Certificate"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        from moto.acm.models import acm_backends

        props = cloudformation_json.get("Properties", {})
        arn = acm_backends[account_id][region_name].request_certificate(
            props["DomainName"], None, props.get("SubjectAlternativeNames") or [], [])
        return cls(arn)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        from moto.acm.models import acm_backends

        try:
            acm_backends[account_id][region_name].delete_certificate(resource_name)
        except Exception:  # already gone: AWS deletes nothing twice either
            pass

    def delete(self, account_id, region_name):
        self.delete_from_cloudformation_json(self.arn, None, account_id, region_name)


if "AWS::CertificateManager::Certificate" not in parsing.get_model_map():
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    parsing.get_model_list.cache_clear()
if "AWS::CertificateManager::Certificate" not in parsing.get_model_map():
    sys.exit("moto_server.py: (15) moto does not take the ACM certificate model; update this patch")

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
