"""A stand-in for the AWS CLI (tests/infra/test_synth.py runs infra/deploy.sh with it first on PATH):
records every call in $FAKE_AWS_STATE/calls.jsonl and answers what deploy.sh reads back. No network.
$FAKE_AWS_STATE/stack holds the stack's status (absent: no stack); $FAKE_AWS_REGION is the profile's
region (`aws configure get region`)."""
import json
import os
import re
import shutil
import sys

STATE = os.environ["FAKE_AWS_STATE"]
STACK_FILE = os.path.join(STATE, "stack")
OUTPUTS = {
    "ShopApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/api",
    "AdminApiUrl": "https://def456.execute-api.eu-west-1.amazonaws.com/api",
    "StorefrontUrl": "https://d111111abcdef8.cloudfront.net",
    "StorefrontBucket": "hubtest-storefrontbucket-1a2b3c",
    "StorefrontDistributionId": "E2EXAMPLE",
    "UserPoolId": "eu-west-1_AbCdEf",
    "UserPoolClientId": "3abcdefghijklmnopqrstuvwx",
    "SenderDkimRecords": "None",
}
RESOURCES = {"StorefrontBucket": OUTPUTS["StorefrontBucket"], "Table": "hubtest", "UserPool": OUTPUTS["UserPoolId"]}


def main(args: list[str]) -> int:
    with open(os.path.join(STATE, "calls.jsonl"), "a") as calls:
        calls.write(json.dumps(args) + "\n")
    command = tuple(args[:2])
    value = lambda name: args[args.index(name) + 1] if name in args else ""  # noqa: E731
    exists = os.path.exists(STACK_FILE)
    if command == ("sts", "get-caller-identity"):
        print("123456789012")
    elif command == ("configure", "get"):
        if not os.environ.get("FAKE_AWS_REGION"):
            return 1
        print(os.environ["FAKE_AWS_REGION"])
    elif command == ("cloudformation", "describe-stacks"):
        if not exists:
            print(f"An error occurred (ValidationError): Stack with id {value('--stack-name')} does not exist",
                  file=sys.stderr)
            return 255
        query = value("--query")
        key = re.search(r"(?:Output|Parameter)Key=='(\w+)'", query)
        if query.endswith("StackStatus"):
            print(open(STACK_FILE).read())
        else:
            print(OUTPUTS.get(key.group(1), "orders@hub.example") if key else "{}")
    elif command == ("cloudformation", "describe-stack-events"):
        print("StorefrontDistribution\tResource handler returned message: \"Access denied for operation 'Your account "
              "must be verified before you can add new CloudFront resources.'\"")
        print("SenderEmailIdentity\tResource handling cancelled")
    elif command == ("dynamodb", "describe-table"):
        return 0 if os.path.exists(os.path.join(STATE, "orphan-table")) else 254
    elif command == ("cloudformation", "describe-stack-resource"):
        print(RESOURCES[value("--logical-resource-id")])
    elif command == ("cloudformation", "deploy"):
        with open(STACK_FILE, "w") as stack:
            stack.write("CREATE_COMPLETE")
    elif command == ("cloudformation", "delete-stack"):
        os.remove(STACK_FILE)
    elif command in (("s3api", "head-bucket"), ("s3api", "head-object")):
        return 254
    elif command == ("s3", "cp") and not args[2].startswith("s3://"):
        key = args[3].split("/", 3)[3]  # s3://bucket/key
        shutil.copy(args[2], os.path.join(STATE, "uploaded-" + key.replace("/", "-")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
