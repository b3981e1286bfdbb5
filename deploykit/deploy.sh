#!/bin/sh
# The AWS CLI calls behind riglet.mk's stack targets (DESIGN.md section 10).
#
#   deploy.sh ACTION DIR [STACK...]
#
# ACTION is create, update, delete, delete-retired, status, outputs, changeset or
# check-env; DIR is out/<riglet>/<env>; no STACK means every stack of DIR's stacks.json, in
# deploy order (for delete: the retired stacks, those removed from the spec, then the rest
# in reverse order). delete-retired deletes the retired stacks alone.
# Read from the environment: RIGLETDEPLOY (the stacks.json reader, required), AWS (the CLI,
# default aws), AWS_ARGS (global options, e.g. --endpoint-url=...), PROFILE, IMAGE_TAG,
# S3_BUCKET, YES (1: delete without asking), OUTPUT (the CLI's --output for status,
# outputs and changeset; default table), BOOTSTRAP (the riglet's shared stack that a first
# deploy needs, default bootstrap; create with no STACK and check-env check it is there).
set -eu

die() {
	printf 'deploy: %s\n' "$*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: deploy.sh create|update|delete|status|outputs|changeset|check-env DIR [STACK...]"
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
BOOTSTRAP=${BOOTSTRAP:-bootstrap}

rd() { "$RIGLETDEPLOY" "$@"; }

env=$(rd field "$dir" env)
riglet=$(rd field "$dir" riglet)
account=$(rd field "$dir" account)
region=$(rd field "$dir" region)

whole_env=false
if [ "$action" = delete-retired ]; then
	action=delete
	set -- $(rd stacks "$dir" --retired)
	if [ $# -eq 0 ]; then
		printf 'env %s has no retired stacks (stacks removed from the spec that the lock keeps)\n' "$env"
		exit 0
	fi
elif [ $# -eq 0 ]; then
	whole_env=true
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
check-env) ;;
*) die "unknown action $action (create, update, delete, delete-retired, status, outputs, changeset, check-env)" ;;
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

# describe runs describe-stacks on stack $1 with --query $2 --output $3 and sets described
# to what it printed; it returns 1 when there is no such stack. Only the CLI's "does not
# exist" means that: any other failure (throttling, AccessDenied, no network) stops here
# with the CLI's own message, so that status- never reports a live stack as missing and
# delete-environment never skips one.
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
describe() {
	if described=$(awscli cloudformation describe-stacks --stack-name "$1" --query "$2" --output "$3" 2>"$errors"); then
		return 0
	fi
	described=""
	if grep -q "Stack with id $1 does not exist" "$errors"; then
		return 1
	fi
	cat "$errors" >&2
	die "cannot tell whether stack $1 exists: aws cloudformation describe-stacks failed (above)"
}

# stack_status sets status to a stack's status, or to "" when there is no such stack.
stack_status() {
	status=""
	if describe "$1" 'Stacks[0].StackStatus' text; then
		status=$described
	fi
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
		stack_status "$name"
		case $status in
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
	stack_status "$name"
	if [ -z "$status" ]; then
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


# bootstrap_stack sets bootstrap to the stack name of the riglet's bootstrap (the shared
# stack BOOTSTRAP: the template bucket and image repositories a first deploy needs), or to
# "" when the riglet has none or DIR is the shared env itself. shared_account is the
# account of the riglet's shared stacks ("" without any): an env in another account
# (cross-account deploys) cannot ask for them with its own credentials.
bootstrap_stack() {
	bootstrap=""
	shared_account=""
	shared=$(dirname "$dir")/shared
	if [ "$env" != shared ] && [ -f "$shared/stacks.json" ]; then
		shared_account=$(rd field "$shared" account)
		if rd stacks "$shared" | grep -qx "$BOOTSTRAP"; then
			bootstrap=$(rd get "$shared" "$BOOTSTRAP" stackName)
		fi
	fi
}

# other_account says what a first deploy of an env in another account than the shared
# stacks' needs there first, which these credentials cannot check: the bootstrap (image
# repositories) and the pipeline's stacks, whose roles the env's deploy stack trusts.
other_account() {
	printf '%s\n' "env $env deploys to account $account, the riglet's shared stacks to account $shared_account: create them there first, with that account's credentials (make create-$BOOTSTRAP ENV=shared RIGLET=$riglet, then every other shared stack: make create-environment ENV=shared RIGLET=$riglet), since this env's deploy role trusts the pipeline's roles, which must exist; this env's own stacks come next, its deploy stack first, before the pipeline first deploys here"
}

# need_bootstrap stops a first deploy of an env whose bootstrap is not there yet, saying
# what to create first.
need_bootstrap() {
	bootstrap_stack
	[ -n "$bootstrap" ] || return 0
	if [ "$shared_account" != "$account" ]; then
		printf 'deploy: first deploy: %s\n' "$(other_account)" >&2
		return 0
	fi
	stack_status "$bootstrap"
	case $status in
	CREATE_COMPLETE | UPDATE_COMPLETE | UPDATE_ROLLBACK_COMPLETE) ;;
	*) die "the bootstrap stack $bootstrap (template bucket, image repositories) is ${status:-not there}: first make create-$BOOTSTRAP ENV=shared RIGLET=$riglet, then make check-env ENV=$env RIGLET=$riglet, then this" ;;
	esac
}

# check_env checks what a deploy of the env needs, each on its own line, and fails at the
# end when one is missing: the AWS CLI, credentials for the env's account, the region, the
# bootstrap, the hosted zone, the certificate.
check_env() {
	failed=0
	ok() { printf 'ok      %s\n' "$*"; }
	bad() { printf 'FAILED  %s\n' "$*"; failed=1; }
	cli=${AWS%% *}
	if command -v "$cli" >/dev/null 2>&1 && version=$($AWS --version 2>&1); then
		ok "AWS CLI: $version"
	else
		bad "AWS CLI: $cli not found or not working (install the AWS CLI, or set AWS=)"
		exit 1
	fi
	if got=$(awscli sts get-caller-identity --query Account --output text 2>"$errors"); then
		if [ "$got" = "$account" ]; then
			ok "credentials: account $account${PROFILE:+ (PROFILE=$PROFILE)}"
		else
			bad "credentials: for account $got, but env $env deploys to account $account: use the right PROFILE or credentials"
		fi
	else
		bad "credentials: aws sts get-caller-identity failed: $(tail -n 1 "$errors")"
	fi
	if zones=$(awscli ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneName' --output text 2>"$errors"); then
		ok "region $region: availability zones $(printf '%s' "$zones" | tr '\t\n' '  ')"
	else
		bad "region $region: aws ec2 describe-availability-zones failed: $(tail -n 1 "$errors")"
	fi
	bootstrap_stack
	if [ -n "$bootstrap" ] && [ "$shared_account" != "$account" ]; then
		ok "bootstrap: not checked from account $account: $(other_account)"
	elif [ -n "$bootstrap" ]; then
		stack_status "$bootstrap"
		case $status in
		CREATE_COMPLETE | UPDATE_COMPLETE | UPDATE_ROLLBACK_COMPLETE) ok "bootstrap: $bootstrap is $status" ;;
		*) bad "bootstrap: $bootstrap is ${status:-not there}: make create-$BOOTSTRAP ENV=shared RIGLET=$riglet" ;;
		esac
	elif [ "$env" != shared ]; then
		ok "bootstrap: riglet $riglet has no shared stack $BOOTSTRAP (templates over 51,200 bytes need S3_BUCKET; image repositories are yours)"
	fi
	zone=$(rd field "$dir" hostedZone)
	if [ -z "$zone" ]; then
		:
	elif zinfo=$(awscli route53 get-hosted-zone --id "$zone" --query '[HostedZone.Name, HostedZone.Config.PrivateZone]' --output text 2>"$errors"); then
		# the certificate's validation record and the alias records must be public
		case $zinfo in
		*[Tt]rue) bad "hosted zone: $zone ($(printf '%s' "$zinfo" | cut -f 1)) is private: name the env's public hosted zone" ;;
		*) ok "hosted zone: $zone ($(printf '%s' "$zinfo" | cut -f 1))" ;;
		esac
	else
		bad "hosted zone: $zone not found: $(tail -n 1 "$errors")"
	fi
	cert=$(rd field "$dir" certificate)
	certblock=$(rd field "$dir" certificateBlock)
	if [ -z "$cert" ] && [ -n "$certblock" ]; then
		# nothing to look up: the certificate is made, and DNS-validated, when its stack deploys
		ok "certificate: made by $certblock (acm-certificate) when its stack deploys, validated by DNS in hosted zone $zone"
	elif [ -z "$cert" ]; then
		ok "certificate: env $env has none (its load balancers listen on HTTP)"
	elif [ "$(printf '%s' "$cert" | cut -d : -f 4)" != "$region" ]; then
		bad "certificate: $cert is not in the env's region $region"
	elif cstatus=$(awscli acm describe-certificate --certificate-arn "$cert" --query Certificate.Status --output text 2>"$errors"); then
		ok "certificate: $cert ($cstatus)"
	else
		bad "certificate: $cert not found in $region: $(tail -n 1 "$errors")"
	fi
	[ "$failed" = 0 ] || die "env $env is not ready to deploy (FAILED above)"
}

# Before any call but describe-stacks: what a first deploy needs (the bootstrap, then an
# image tag) is said before anything else is asked of AWS.
if [ "$action" = create ] && [ "$whole_env" = true ]; then
	need_bootstrap
fi

# A deploy-time input with no default (the image tag: none is sure to exist) must be given
# on a stack's first deploy; later deploys keep the running value. Refused before any call
# that changes anything; the stack's status is the only thing asked.
if [ -z "$IMAGE_TAG" ]; then
	case $action in
	create | changeset)
		for stack in "$@"; do
			[ -n "$(rd get "$dir" "$stack" required)" ] || continue
			name=$(rd get "$dir" "$stack" stackName)
			stack_status "$name"
			case $status in
			"" | REVIEW_IN_PROGRESS) die "stack $name does not exist yet, so there is no running image tag to keep: make $action-$stack ENV=$env IMAGE_TAG=<tag of an image in its repository>" ;;
			esac
		done
		;;
	esac
fi

case $action in
create | update | changeset | delete) check_account ;;
check-env)
	check_env
	exit 0
	;;
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
		if describe "$name" 'Stacks[0].{Stack:StackName,Status:StackStatus,Reason:StackStatusReason}' "$OUTPUT"; then
			printf '%s\n' "$described"
		else
			printf '%s\tdoes not exist\n' "$name"
		fi
		;;
	outputs)
		name=$(rd get "$dir" "$stack" stackName)
		awscli cloudformation describe-stacks --stack-name "$name" \
			--query 'Stacks[0].Outputs[].{Key:OutputKey,Value:OutputValue,Export:ExportName}' --output "$OUTPUT"
		;;
	esac
done
