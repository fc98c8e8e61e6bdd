"""A stand-in for the AWS CLI (tests/infra/test_synth.py runs infra/deploy.sh with it first on PATH):
records every call in $FAKE_AWS_STATE/calls.jsonl and answers what deploy.sh reads back. No network."""
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
    elif command == ("cloudformation", "describe-stacks"):
        if not exists:
            print(f"An error occurred (ValidationError): Stack with id {value('--stack-name')} does not exist",
                  file=sys.stderr)
            return 255
        query = value("--query")
        key = re.search(r"(?:Output|Parameter)Key=='(\w+)'", query)
        print(OUTPUTS.get(key.group(1), "orders@hub.example") if key else "{}")
    elif command == ("cloudformation", "describe-stack-resource"):
        print(RESOURCES[value("--logical-resource-id")])
    elif command == ("cloudformation", "deploy"):
        open(STACK_FILE, "w").close()
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
