#!/bin/sh
# The AWS CLI calls behind riglet.mk's stack targets (DESIGN.md section 10).
#
#   deploy.sh ACTION DIR [STACK...]
#
# ACTION is create, update, delete, delete-retired, status, outputs or changeset; DIR is
# out/<riglet>/<env>; no STACK means every stack of DIR's stacks.json, in deploy order
# (for delete: the retired stacks, those removed from the spec, then the rest in reverse
# order). delete-retired deletes the retired stacks alone.
# Read from the environment: RIGLETDEPLOY (the stacks.json reader, required), AWS (the CLI,
# default aws), AWS_ARGS (global options, e.g. --endpoint-url=...), PROFILE, IMAGE_TAG,
# S3_BUCKET, YES (1: delete without asking), OUTPUT (the CLI's --output for status,
# outputs and changeset; default table).
set -eu

die() {
	printf 'deploy: %s\n' "$*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: deploy.sh create|update|delete|status|outputs|changeset DIR [STACK...]"
action=$1
dir=$2
shift 2
: "${RIGLETDEPLOY:?set RIGLETDEPLOY to the rigletdeploy binary}"
AWS=${AWS:-aws}
AWS_ARGS=${AWS_ARGS:-}
PROFILE=${PROFILE:-}
IMAGE_TAG=${IMAGE_TAG:-}
S3_BUCKET=${S3_BUCKET:-}
YES=${YES:-}
OUTPUT=${OUTPUT:-table}

rd() { "$RIGLETDEPLOY" "$@"; }

env=$(rd field "$dir" env)
riglet=$(rd field "$dir" riglet)
account=$(rd field "$dir" account)
region=$(rd field "$dir" region)

if [ "$action" = delete-retired ]; then
	action=delete
	set -- $(rd stacks "$dir" --retired)
	if [ $# -eq 0 ]; then
		printf 'env %s has no retired stacks (stacks removed from the spec that the lock keeps)\n' "$env"
		exit 0
	fi
elif [ $# -eq 0 ]; then
	if [ "$action" = delete ]; then
		# Retired stacks import from the live ones, never the other way round.
		set -- $(rd stacks "$dir" --retired) $(rd stacks "$dir" --reverse)
	else
		set -- $(rd stacks "$dir")
	fi
fi

# Everything that can be refused is refused before the first AWS call.
case $action in
create | update | changeset) rd check "$dir" --s3-bucket "$S3_BUCKET" "$@" ;;
delete | status | outputs) for stack in "$@"; do rd get "$dir" "$stack" stackName >/dev/null; done ;;
*) die "unknown action $action (create, update, delete, delete-retired, status, outputs, changeset)" ;;
esac

# awscli runs the AWS CLI with the env's region; AWS and AWS_ARGS are split into words on
# purpose (AWS="python3 -m awscli", AWS_ARGS="--endpoint-url=http://127.0.0.1:5000").
awscli() {
	if [ -n "$PROFILE" ]; then
		set -- --profile "$PROFILE" "$@"
	fi
	# shellcheck disable=SC2086
	$AWS $AWS_ARGS --region "$region" "$@"
}

# stack_status prints a stack's status, or nothing when there is no such stack.
stack_status() {
	awscli cloudformation describe-stacks --stack-name "$1" \
		--query 'Stacks[0].StackStatus' --output text 2>/dev/null || true
}

check_account() {
	got=$(awscli sts get-caller-identity --query Account --output text) ||
		die "cannot tell which account the credentials are for (aws sts get-caller-identity failed)${PROFILE:+ with PROFILE=$PROFILE}"
	[ "$got" = "$account" ] ||
		die "the credentials are for account $got, but env $env deploys to account $account ($dir/stacks.json): use the right PROFILE or credentials"
}

deploy() {
	stack=$1
	name=$(rd get "$dir" "$stack" stackName)
	args=$(rd args "$dir" "$stack" --image-tag "$IMAGE_TAG" --s3-bucket "$S3_BUCKET")
	if [ "$action" = update ]; then
		case $(stack_status "$name") in
		"" | REVIEW_IN_PROGRESS) die "stack $name does not exist: make create-$stack ENV=$env" ;;
		esac
	fi
	printf '==> %s %s (%s)\n' "$action" "$name" "$env"
	eval "awscli cloudformation deploy $args --no-fail-on-empty-changeset"
	if [ "$(rd get "$dir" "$stack" terminationProtection)" = true ]; then
		awscli cloudformation update-termination-protection \
			--enable-termination-protection --stack-name "$name" >/dev/null
		printf 'termination protection enabled on %s\n' "$name"
	fi
}

changeset() {
	stack=$1
	name=$(rd get "$dir" "$stack" stackName)
	args=$(rd args "$dir" "$stack" --image-tag "$IMAGE_TAG" --s3-bucket "$S3_BUCKET")
	printf '==> change set for %s (%s)\n' "$name" "$env"
	out=$(eval "awscli cloudformation deploy $args --no-execute-changeset --no-fail-on-empty-changeset") || {
		printf '%s\n' "$out" >&2
		exit 1
	}
	arn=$(printf '%s\n' "$out" | sed -n 's/.*\(arn:[^ ]*:changeSet\/[^ ]*\).*/\1/p' | head -n 1)
	if [ -z "$arn" ]; then
		printf '%s\n' "$out" # no changes
		return
	fi
	awscli cloudformation describe-change-set --change-set-name "$arn" \
		--query 'Changes[].ResourceChange.{Action:Action,LogicalId:LogicalResourceId,Type:ResourceType,Replacement:Replacement}' \
		--output "$OUTPUT"
	printf 'change set %s\napply it with: make update-%s ENV=%s RIGLET=%s (or aws cloudformation execute-change-set --change-set-name %s)\n' \
		"$arn" "$stack" "$env" "$riglet" "$arn"
}

delete() {
	stack=$1
	name=$(rd get "$dir" "$stack" stackName)
	if [ -z "$(stack_status "$name")" ]; then
		printf '==> %s does not exist\n' "$name"
		return
	fi
	kept=""
	for logical_type in $(rd retained "$dir" "$stack" | tr ' ' '|'); do
		logical=${logical_type%%|*}
		physical=$(awscli cloudformation describe-stack-resource --stack-name "$name" \
			--logical-resource-id "$logical" \
			--query StackResourceDetail.PhysicalResourceId --output text 2>/dev/null || true)
		kept="$kept  ${logical_type#*|} ${physical:-?} ($logical)
"
	done
	if [ "$(rd get "$dir" "$stack" retired)" = true ]; then
		kept="  (its template is no longer in $dir: check its resources kept by DeletionPolicy Retain in the console)
"
	fi
	printf '==> delete %s (%s)\n' "$name" "$env"
	awscli cloudformation delete-stack --stack-name "$name"
	awscli cloudformation wait stack-delete-complete --stack-name "$name"
	printf 'deleted %s\n' "$name"
	if [ -n "$kept" ]; then
		printf 'kept on purpose (DeletionPolicy: Retain), delete by hand when no longer wanted:\n%s' "$kept"
	fi
}

# A deploy-time input with no default (the image tag: none is sure to exist) must be given
# on a stack's first deploy; later deploys keep the running value. Refused before any call
# that changes anything; the stack's status is the only thing asked.
if [ -z "$IMAGE_TAG" ]; then
	case $action in
	create | changeset)
		for stack in "$@"; do
			[ -n "$(rd get "$dir" "$stack" required)" ] || continue
			name=$(rd get "$dir" "$stack" stackName)
			case $(stack_status "$name") in
			"" | REVIEW_IN_PROGRESS) die "stack $name does not exist yet, so there is no running image tag to keep: make $action-$stack ENV=$env IMAGE_TAG=<tag of an image in its repository>" ;;
			esac
		done
		;;
	esac
fi

case $action in
create | update | changeset | delete) check_account ;;
esac

# warn_deploy_roles warns when a stack to delete holds a role CloudFormation assumes to
# deploy other stacks (the pipeline's deploy role) and stacks deployed with it are still
# there: once the role is gone, CloudFormation cannot update or delete them.
warn_deploy_roles() {
	for stack in "$@"; do
		name=$(rd get "$dir" "$stack" stackName)
		for role in $(rd roles "$dir" "$stack"); do
			physical=$(awscli cloudformation describe-stack-resource --stack-name "$name" --logical-resource-id "$role" \
				--query StackResourceDetail.PhysicalResourceId --output text 2>/dev/null) || continue
			users=$(awscli cloudformation describe-stacks --output text \
				--query "Stacks[?RoleARN && ends_with(RoleARN, '/$physical')].StackName") ||
				users="(cannot tell which: describe-stacks failed)"
			[ -n "$users" ] && [ "$users" != None ] || continue
			printf 'deploy: warning: stack %s holds %s, the role CloudFormation uses to deploy other stacks, and these were deployed with it: %s\n' \
				"$name" "$physical" "$(echo $users)" >&2
			printf 'deploy: warning: delete them first (CloudFormation needs the role to delete them), or they are left for deletion by hand\n' >&2
		done
	done
}

if [ "$action" = delete ]; then
	warn_deploy_roles "$@"
fi

if [ "$action" = delete ] && [ "$YES" != 1 ]; then
	printf 'Delete stacks %s of env %s in account %s? Type yes to go on: ' "$*" "$env" "$account" >&2
	answer=""
	read -r answer || true
	[ "$answer" = yes ] || die "not deleted: answer yes, or run with YES=1"
fi

for stack in "$@"; do
	case $action in
	create | update) deploy "$stack" ;;
	changeset) changeset "$stack" ;;
	delete) delete "$stack" ;;
	status)
		name=$(rd get "$dir" "$stack" stackName)
		awscli cloudformation describe-stacks --stack-name "$name" \
			--query 'Stacks[0].{Stack:StackName,Status:StackStatus,Reason:StackStatusReason}' --output "$OUTPUT" 2>/dev/null ||
			printf '%s\tdoes not exist\n' "$name"
		;;
	outputs)
		name=$(rd get "$dir" "$stack" stackName)
		awscli cloudformation describe-stacks --stack-name "$name" \
			--query 'Stacks[0].Outputs[].{Key:OutputKey,Value:OutputValue,Export:ExportName}' --output "$OUTPUT"
		;;
	esac
done
