#!/usr/bin/env bash
# Deploy the whole hubcycle stack to the AWS account of the current credentials, or tear it down.
# docs/deploy.md explains every step.
#
#   infra/deploy.sh --sender orders@your-hub.example --operator-email you@your-hub.example
#                   [--sender-domain your-hub.example] [--stack hubcycle] [--region eu-west-1]
#                   [--self-sign-up true|false] [--checkout-waf-limit N] [--artifact-bucket NAME]
#                   [--no-synth] [--yes]
#   infra/deploy.sh destroy [--stack hubcycle] [--region eu-west-1] [--delete-data]
#
# The region: --region, else AWS_REGION / AWS_DEFAULT_REGION, else your AWS profile's (as the AWS
# CLI reads it). --yes: delete a stack whose first creation failed without asking.
# Needs: AWS CLI v2 with credentials, bash, the Lambda runtime's Python (the project's .venv,
# which `make synth` creates; the synthesis itself needs no credentials).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ACTION=deploy
STACK=hubcycle
REGION=""
SENDER=""
OPERATOR_EMAIL=""
WAF_LIMIT=""
ASSUME_YES=0
SENDER_DOMAIN=""
SENDER_DOMAIN_SET=0
SELF_SIGN_UP=""
ARTIFACT_BUCKET=""
DELETE_DATA=0
SYNTH=1

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
say() { printf '\n==> %s\n' "$*"; }
die() { printf 'deploy.sh: %s\n' "$*" >&2; exit 1; }

[[ ${1:-} == destroy ]] && { ACTION=destroy; shift; }
[[ ${1:-} == deploy ]] && shift
while [[ $# -gt 0 ]]; do
  case $1 in
    --sender) SENDER=${2:?}; shift 2 ;;
    --operator-email) OPERATOR_EMAIL=${2:?}; shift 2 ;;
    --checkout-waf-limit) WAF_LIMIT=${2:?}; shift 2 ;;
    --yes) ASSUME_YES=1; shift ;;
    --sender-domain) SENDER_DOMAIN=${2-}; SENDER_DOMAIN_SET=1; shift 2 ;;
    --stack) STACK=${2:?}; shift 2 ;;
    --region) REGION=${2:?}; shift 2 ;;
    --self-sign-up) SELF_SIGN_UP=${2:?}; shift 2 ;;
    --artifact-bucket) ARTIFACT_BUCKET=${2:?}; shift 2 ;;
    --delete-data) DELETE_DATA=1; shift ;;
    --no-synth) SYNTH=0; shift ;;
    -h|--help) usage 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; usage ;;
  esac
done
[[ $STACK =~ ^[A-Za-z][A-Za-z0-9-]{0,31}$ ]] || die "--stack: letters, digits and hyphens, at most 32 characters"
command -v aws >/dev/null || die "the AWS CLI (v2) is needed: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"
# The region as the AWS CLI would choose it: environment first, then the profile (AWS_PROFILE or default).
REGION=${REGION:-${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}}
[[ -n $REGION ]] || die "no region: pass --region, or set one in your AWS profile (aws configure set region eu-west-1)"
export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION AWS_PAGER=""
ACCOUNT=$(aws sts get-caller-identity --query Account --output text) || die "no usable AWS credentials"

stack_output() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text
}
stack_resource() {
  aws cloudformation describe-stack-resource --stack-name "$STACK" --logical-resource-id "$1" \
    --query StackResourceDetail.PhysicalResourceId --output text 2>/dev/null || true
}

python_for_synth() {
  if [[ -n ${PYTHON:-} ]]; then echo "$PYTHON"; return; fi
  if [[ ! -x .venv/bin/python ]]; then
    say "Creating the project's virtual environment (make .venv/.installed)" >&2
    make .venv/.installed >&2
  fi
  echo "$ROOT/.venv/bin/python"
}

stack_status() {
  aws cloudformation describe-stacks --stack-name "$STACK" --query "Stacks[0].StackStatus" --output text 2>/dev/null || true
}

# A first creation that failed leaves the stack in ROLLBACK_COMPLETE: it can only be deleted. Say
# why it failed (its CREATE_FAILED events) and offer to delete it before deploying again.
clean_failed_first_creation() {
  say "The first creation of stack $STACK in $REGION failed and was rolled back (ROLLBACK_COMPLETE)"
  echo "  What failed (CloudFormation events):"
  aws cloudformation describe-stack-events --stack-name "$STACK" \
    --query "StackEvents[?ResourceStatus=='CREATE_FAILED'].[LogicalResourceId,ResourceStatusReason]" \
    --output text | sed 's/^/    /'
  cat <<EOF
  Common causes on a new account (docs/deploy.md, "A new account"):
    - CloudFront: "Your account must be verified before you can add new CloudFront resources":
      open a case with AWS Support, wait for the answer, then deploy again;
    - SES: "... already exists": the sender address or domain is an SES identity already (another
      stack, or made by hand): use another --sender / --sender-domain, or delete that identity.
  Nothing of it is kept (the table and the user pool are RetainExceptOnCreate). Such a stack can
  only be deleted; deploying again needs that first.
EOF
  local answer=n
  if [[ $ASSUME_YES == 1 ]]; then
    answer=y
  elif [[ -t 0 ]]; then
    read -r -p "Delete the failed stack $STACK now and deploy again? [y/N] " answer
  fi
  [[ $answer == [yY]* ]] || die "left as is: delete it with 'infra/deploy.sh destroy --stack $STACK', or run again with --yes"
  say "Deleting the failed stack $STACK"
  aws cloudformation delete-stack --stack-name "$STACK"
  aws cloudformation wait stack-delete-complete --stack-name "$STACK"
}

deploy() {
  local status
  status=$(stack_status)
  case $status in
    ROLLBACK_COMPLETE) clean_failed_first_creation; status="" ;;
    *_IN_PROGRESS) die "stack $STACK is $status: wait until it ends, then run again" ;;
  esac
  if [[ -z $status || $status == None ]]; then
    [[ -n $SENDER ]] || die "first deployment of $STACK: --sender ADDRESS is required"
    [[ -n $OPERATOR_EMAIL ]] || die "first deployment of $STACK: --operator-email ADDRESS (who gets the alarms) is required"
    if aws dynamodb describe-table --table-name "$STACK" >/dev/null 2>&1; then
      die "a table named $STACK exists already (kept from an earlier stack of that name): delete it, restore it
  into the new stack with a resource import, or choose another --stack (docs/deploy.md, \"Tear down\")"
    fi
  fi
  local python artifacts
  python=$(python_for_synth)

  if [[ $SYNTH == 1 ]]; then
    say "Synthesizing and validating the stack (infra/synth.py --strict)"
    "$python" infra/synth.py --strict --region "$REGION"
  else
    [[ -f infra/out/template.json ]] || die "--no-synth: run python infra/synth.py --strict first"
    say "Deploying the synthesis already in infra/out/ (--no-synth)"
  fi

  artifacts=${ARTIFACT_BUCKET:-hubcycle-artifacts-$ACCOUNT-$REGION}
  if ! aws s3api head-bucket --bucket "$artifacts" >/dev/null 2>&1; then
    say "Creating the artifact bucket s3://$artifacts (function zips, templates)"
    if [[ $REGION == us-east-1 ]]; then
      aws s3api create-bucket --bucket "$artifacts" >/dev/null
    else
      aws s3api create-bucket --bucket "$artifacts" \
        --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
    fi
    aws s3api put-public-access-block --bucket "$artifacts" --public-access-block-configuration \
      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  fi

  say "Uploading the function zips to s3://$artifacts (named after their SHA-256: unchanged code is not redeployed)"
  local overrides=("ArtifactBucket=$artifacts") app key
  for app in shop admin scheduler; do
    key="$STACK/$app-$("$python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()[:32])' "infra/out/$app/deployment.zip").zip"
    if ! aws s3api head-object --bucket "$artifacts" --key "$key" >/dev/null 2>&1; then
      aws s3 cp "infra/out/$app/deployment.zip" "s3://$artifacts/$key" --only-show-errors
    fi
    case $app in shop) overrides+=("ShopCodeKey=$key") ;; admin) overrides+=("AdminCodeKey=$key") ;;
      scheduler) overrides+=("SchedulerCodeKey=$key") ;; esac
  done
  [[ -n $SENDER ]] && overrides+=("SenderEmail=$SENDER")
  [[ -n $OPERATOR_EMAIL ]] && overrides+=("OperatorEmail=$OPERATOR_EMAIL")
  [[ -n $WAF_LIMIT ]] && overrides+=("CheckoutWafRateLimit=$WAF_LIMIT")
  [[ $SENDER_DOMAIN_SET == 1 ]] && overrides+=("SenderDomain=$SENDER_DOMAIN")
  [[ -n $SELF_SIGN_UP ]] && overrides+=("ManagerSelfSignUp=$SELF_SIGN_UP")

  say "Deploying stack $STACK to $REGION (the first time takes 5-10 minutes: CloudFront)"
  aws cloudformation deploy --template-file infra/out/template.json --stack-name "$STACK" \
    --s3-bucket "$artifacts" --s3-prefix "$STACK/templates" \
    --capabilities CAPABILITY_IAM \
    --tags app=hubcycle "stack=$STACK" \
    --no-fail-on-empty-changeset \
    --parameter-overrides "${overrides[@]}"

  local shop_url admin_url storefront_url bucket distribution
  shop_url=$(stack_output ShopApiUrl)
  admin_url=$(stack_output AdminApiUrl)
  storefront_url=$(stack_output StorefrontUrl)
  bucket=$(stack_output StorefrontBucket)
  distribution=$(stack_output StorefrontDistributionId)

  say "Publishing the storefront with shopApiUrl=$shop_url, and the console under /console/"
  make console storefront >&2
  "$python" infra/storefront.py --shop-api-url "$shop_url" --dest infra/out/storefront \
    --admin-api-url "$admin_url" --user-pool-id "$(stack_output UserPoolId)" \
    --user-pool-client-id "$(stack_output UserPoolClientId)" >/dev/null
  # uploads/ holds the managers' photos (POST /enterprises/{id}/uploads): --delete must not touch them.
  aws s3 sync infra/out/storefront "s3://$bucket/" --delete --only-show-errors --exclude "uploads/*" \
    --exclude config.js --exclude index.html --exclude console/config.js --exclude console/index.html \
    --cache-control "public, max-age=300"
  aws s3 cp infra/out/storefront/index.html "s3://$bucket/index.html" --only-show-errors \
    --content-type "text/html; charset=utf-8" --cache-control "no-cache"
  aws s3 cp infra/out/storefront/config.js "s3://$bucket/config.js" --only-show-errors \
    --content-type "text/javascript; charset=utf-8" --cache-control "no-cache"
  aws s3 cp infra/out/storefront/console/index.html "s3://$bucket/console/index.html" --only-show-errors \
    --content-type "text/html; charset=utf-8" --cache-control "no-cache"
  aws s3 cp infra/out/storefront/console/config.js "s3://$bucket/console/config.js" --only-show-errors \
    --content-type "text/javascript; charset=utf-8" --cache-control "no-cache"
  aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" >/dev/null

  say "Deployed"
  cat <<EOF
  storefront   $storefront_url
  console      ${storefront_url%/}/console/index.html   (S3 serves no index for a folder: name the file)
  shop API     $shop_url
  admin API    $admin_url   (Cognito id token of the user pool $(stack_output UserPoolId))
  sender       $(aws cloudformation describe-stacks --stack-name "$STACK" \
                 --query "Stacks[0].Parameters[?ParameterKey=='SenderEmail'].ParameterValue | [0]" --output text)
EOF
  local dkim
  dkim=$(stack_output SenderDkimRecords)
  if [[ $dkim != None && -n $dkim ]]; then
    echo "  DNS          publish these CNAME records to verify the sender domain (Easy DKIM):"
    tr ' ' '\n' <<<"$dkim" | sed 's/=/  CNAME  /; s/^/                 /'
  else
    echo "  SES          open the verification email sent to the sender address (first deployment)"
  fi
  echo "  SES sandbox  until AWS grants production access, mail only reaches verified addresses (docs/deploy.md)"
  echo "  alarms       confirm the SNS subscription mailed to the operator address (first deployment)"
}

destroy() {
  aws cloudformation describe-stacks --stack-name "$STACK" >/dev/null 2>&1 || die "no stack $STACK in $REGION"
  local bucket table pool
  bucket=$(stack_resource StorefrontBucket)
  table=$(stack_resource Table)
  pool=$(stack_resource UserPool)

  if [[ -n $bucket && $bucket != None ]]; then
    say "Emptying the storefront bucket s3://$bucket"
    aws s3 rm "s3://$bucket" --recursive --only-show-errors || true
  fi
  say "Deleting stack $STACK (CloudFront takes several minutes)"
  aws cloudformation delete-stack --stack-name "$STACK"
  aws cloudformation wait stack-delete-complete --stack-name "$STACK"

  if [[ $DELETE_DATA == 1 ]]; then
    say "Deleting the retained data: table $table, user pool $pool"
    [[ -n $table && $table != None ]] && aws dynamodb delete-table --table-name "$table" >/dev/null
    [[ -n $pool && $pool != None ]] && aws cognito-idp delete-user-pool --user-pool-id "$pool"
  else
    say "Kept (DeletionPolicy RetainExceptOnCreate): the order data and the managers' accounts"
    echo "  table      $table   -> aws dynamodb delete-table --table-name $table"
    echo "  user pool  $pool    -> aws cognito-idp delete-user-pool --user-pool-id $pool"
  fi
  echo "  artifact bucket (Lambda zips): aws s3 rb s3://${ARTIFACT_BUCKET:-hubcycle-artifacts-$ACCOUNT-$REGION} --force"
}

"$ACTION"
