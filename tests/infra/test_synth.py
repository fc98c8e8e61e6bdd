"""The deployable stack (infra/): synthesized offline, linted, and checked for what the issue asks —
one template, the table the local system uses, least-privilege roles, the wiring between the parts.

Two syntheses per session:
- `real`: `python infra/synth.py` exactly as `make synth` runs it, on functions/ (writes infra/out/);
- `contract`: the same synthesis on tests/infra/contract_apps/ (apps that define every entry point the
  stack expects, with the real .chalice/config.json and policy.json), with --strict and without any
  AWS credentials or configuration: proves the wiring the real apps will get once they define them.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hubcycle.adapters.schedules import RETRY_POLICY
from hubcycle.repository.table import TABLE_DEFINITION, TIME_TO_LIVE_ATTRIBUTE

ROOT = Path(__file__).resolve().parents[2]
SYNTH = ROOT / "infra" / "synth.py"
FUNCTIONS = ROOT / "functions"
CONTRACT_APPS = Path(__file__).resolve().parent / "contract_apps"
APPS = ("shop", "admin", "scheduler")
ROLES = {"shop": "ShopRole", "admin": "AdminRole", "scheduler": "SchedulerRole"}
SCHEDULER_FUNCTIONS = {"SchedulerOnSchedule": "app.on_schedule", "SchedulerSweep": "app.sweep",
                       "SchedulerOnSesEvent": "app.on_ses_event"}
STOREFRONT_ORIGIN = {"Fn::Sub": "'https://${StorefrontDistribution.DomainName}'"}

sys.path.insert(0, str(ROOT / "infra"))
import storefront  # noqa: E402  (infra/storefront.py)
import synth  # noqa: E402  (infra/synth.py)


class Synthesis:
    def __init__(self, out: Path, completed: subprocess.CompletedProcess):
        self.out = out
        self.completed = completed
        self.template = json.loads((out / "template.json").read_text())
        self.manifest = json.loads((out / "manifest.json").read_text())
        self.resources = self.template["Resources"]

    def of_type(self, kind: str) -> dict:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == kind}

    def statements(self, role: str) -> list[dict]:
        found = []
        for policy in self.resources[role]["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                statement = dict(statement)
                statement["Action"] = as_list(statement["Action"])
                statement["Resource"] = as_list(statement["Resource"])
                found.append(statement)
        return found

    def actions(self, role: str) -> set[str]:
        return {a for s in self.statements(role) for a in s["Action"]}


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def run_synth(out: Path, *arguments: str, env: dict | None = None) -> Synthesis:
    completed = subprocess.run([sys.executable, str(SYNTH), "--out", str(out), *arguments],
                               cwd=ROOT, capture_output=True, text=True, env=env, timeout=900)
    assert completed.returncode == 0, f"synth failed:\n{completed.stdout}\n{completed.stderr}"
    return Synthesis(out, completed)


@pytest.fixture(scope="session")
def real() -> Synthesis:
    """`make synth`: the real apps, into infra/out/."""
    return run_synth(ROOT / "infra" / "out")


@pytest.fixture(scope="session")
def contract(tmp_path_factory) -> Synthesis:
    """Apps that meet the contract, synthesized strictly, without AWS credentials or config."""
    functions = tmp_path_factory.mktemp("contract_functions")
    for app in APPS:
        (functions / app / ".chalice").mkdir(parents=True)
        for name in ("config.json", "policy.json"):
            shutil.copy(FUNCTIONS / app / ".chalice" / name, functions / app / ".chalice" / name)
        shutil.copy(CONTRACT_APPS / app / "app.py", functions / app / "app.py")
        (functions / app / "requirements.txt").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return run_synth(tmp_path_factory.mktemp("contract_out"), "--strict", "--no-bytecode",
                     "--functions-dir", str(functions), env=env)


@pytest.fixture(params=["real", "contract"])
def synthesis(request) -> Synthesis:
    return request.getfixturevalue(request.param)


# --- Validation ------------------------------------------------------------------------------------


def test_cfn_lint_finds_no_error_or_warning(synthesis):
    assert [f for f in synthesis.manifest["lint"] if f["level"] in ("error", "warning")] == []


def test_one_plain_cloudformation_template_with_every_part(synthesis):
    assert "Transform" not in synthesis.template  # what cfn-lint checked is what CloudFormation gets
    assert not [lid for lid, r in synthesis.resources.items() if r["Type"].startswith("AWS::Serverless::")]
    for lid in ("Table", "UserPool", "UserPoolClient", "EventBus", "ScheduleGroup", "SchedulerInvokeRole",
                "SweepRule", "SesEventsRule", "SesConfigurationSet", "SesEventsDestination",
                "SenderEmailIdentity", "SenderDomainIdentity", "StorefrontBucket", "StorefrontDistribution"):
        assert lid in synthesis.resources, lid
    for output in ("ShopApiUrl", "AdminApiUrl", "StorefrontUrl", "StorefrontBucket", "StorefrontDistributionId",
                   "UserPoolId", "UserPoolClientId"):
        assert output in synthesis.template["Outputs"], output


def test_functions_of_the_three_apps(synthesis):
    functions = synthesis.of_type("AWS::Lambda::Function")
    assert {lid: f["Properties"]["Handler"] for lid, f in functions.items()} == {
        "ShopAPIHandler": "app.app", "AdminAPIHandler": "app.app", **SCHEDULER_FUNCTIONS}
    for lid, function in functions.items():
        app = synthesis.manifest["functions"][lid]["app"]
        prefix = {"shop": "Shop", "admin": "Admin", "scheduler": "Scheduler"}[app]
        assert function["Properties"]["Code"] == {"S3Bucket": {"Ref": "ArtifactBucket"},
                                                  "S3Key": {"Ref": f"{prefix}CodeKey"}}
        assert (synthesis.out / app / "deployment.zip").is_file()
        assert function["Properties"]["Role"] == {"Fn::GetAtt": [ROLES[app], "Arn"]}
        assert function["Properties"]["Runtime"].startswith("python3.")


def test_exactly_two_rest_apis_shop_and_admin_each_deployed_and_throttled(synthesis):
    assert set(synthesis.of_type("AWS::ApiGateway::RestApi")) == {"ShopRestAPI", "AdminRestAPI"}
    stages = synthesis.of_type("AWS::ApiGateway::Stage")
    assert set(stages) == {"ShopRestAPIStage", "AdminRestAPIStage"}
    deployments = synthesis.of_type("AWS::ApiGateway::Deployment")
    for api in ("ShopRestAPI", "AdminRestAPI"):
        stage = stages[f"{api}Stage"]["Properties"]
        assert stage["RestApiId"] == {"Ref": api} and stage["StageName"] == "api"
        assert deployments[stage["DeploymentId"]["Ref"]]["Properties"]["RestApiId"] == {"Ref": api}
        (throttle,) = stage["MethodSettings"]
        assert throttle["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRateLimit"}
        url = synthesis.template["Outputs"][api.replace("RestAPI", "ApiUrl")]["Value"]["Fn::Sub"]
        assert url == f"https://${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/api"


def test_every_function_gets_every_setting(synthesis):
    texts = [(ROOT / "layers" / "domain" / "hubcycle" / "settings.py").read_text()]
    texts += [(FUNCTIONS / app / "app.py").read_text() for app in APPS]
    names = {n for text in texts for n in re.findall(r"[\"'](HUBCYCLE_[A-Z0-9_]+)[\"']", text)}
    assert len(names) >= 10
    for lid, function in synthesis.of_type("AWS::Lambda::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert names <= set(variables), (lid, names - set(variables))
        assert variables["HUBCYCLE_TABLE"] == {"Ref": "Table"}
        assert variables["HUBCYCLE_USER_POOL_ID"] == {"Ref": "UserPool"}
        assert variables["HUBCYCLE_STOREFRONT_ORIGIN"] == {"Fn::Sub": "https://${StorefrontDistribution.DomainName}"}
        assert variables["HUBCYCLE_SCHEDULER_ROLE_ARN"] == {"Fn::GetAtt": ["SchedulerInvokeRole", "Arn"]}
        assert variables["HUBCYCLE_USER_POOL_ARN"] == {"Fn::GetAtt": ["UserPool", "Arn"]}


def test_the_lambda_zips_are_self_contained_and_precompiled(real, tmp_path):
    """Each zip imports its app, and every hubcycle module it ships, with only the standard library
    and what Lambda's Python runtime provides (boto3 and its dependencies); it ships unchecked-hash
    .pyc for the runtime's Python, and nothing of the local system nor the crypto stack."""
    import boto3, botocore, dateutil, jmespath, s3transfer, six, urllib3  # noqa: E401  (the runtime's)

    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for module in (boto3, botocore, dateutil, jmespath, s3transfer, urllib3):
        os.symlink(Path(module.__file__).parent, runtime / Path(module.__file__).parent.name)
    os.symlink(six.__file__, runtime / "six.py")
    tag = sys.implementation.cache_tag
    for app in APPS:
        with zipfile.ZipFile(real.out / app / "deployment.zip") as archive:
            names = set(archive.namelist())
            assert {"app.py", "hubcycle/settings.py", "hubcycle/repository/table.py"} <= names
            assert any(n.startswith("pydantic_core/") and n.endswith(".so") for n in names)
            assert any(n.startswith("aws_lambda_powertools/") for n in names)
            assert not [n for n in names if n.startswith(("hubcycle/local/", "hubcycle/dev.py", "jwt/", "cryptography/",
                                                          "cffi/", "_cffi_backend", "pycparser/", "moto/"))]
            pyc = archive.read(f"__pycache__/app.{tag}.pyc")
            assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, unchecked
            archive.extractall(tmp_path / app)
        modules = sorted(n[:-3].replace("/", ".").removesuffix(".__init__") for n in names
                         if n.startswith("hubcycle/") and n.endswith(".py"))
        code = ("import importlib, sys; sys.dont_write_bytecode = True; "
                f"sys.path[:0] = [{str(tmp_path / app)!r}, {str(runtime)!r}]; "
                f"import app; [importlib.import_module(m) for m in {modules!r}]; print(app.app.app_name)")
        done = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path / app, capture_output=True,
                              text=True, env={"AWS_DEFAULT_REGION": "eu-west-1", "PATH": os.environ.get("PATH", "")},
                              timeout=120)
        assert done.returncode == 0, f"functions/{app}: app.py does not import from its zip:\n{done.stderr}"
        assert done.stdout.strip() == f"hubcycle-{app}"


def test_each_zip_ships_the_domain_modules_its_app_imports_and_no_more(real):
    """The admin names its services through LazyModule strings: they are followed too."""
    for app in APPS:
        with zipfile.ZipFile(real.out / app / "deployment.zip") as archive:
            shipped = {n for n in archive.namelist() if n.startswith("hubcycle/") and n.endswith(".py")}
        assert shipped == set(synth.domain_closure(FUNCTIONS / app / "app.py", ROOT / "layers" / "domain"))
    with zipfile.ZipFile(real.out / "admin" / "deployment.zip") as archive:
        assert "hubcycle/services/reports.py" in archive.namelist()  # LazyModule("hubcycle.services.reports")
    with zipfile.ZipFile(real.out / "shop" / "deployment.zip") as archive:
        assert "hubcycle/services/reports.py" not in archive.namelist()


def test_synth_prints_each_zip_size_and_keeps_the_shops_under_8_mb(real):
    for app in APPS:
        size = (real.out / app / "deployment.zip").stat().st_size
        assert real.manifest["zip_bytes"][app] == size
        assert f"{app}/deployment.zip: {size / 1e6:.1f} MB" in real.completed.stderr
    assert real.manifest["zip_bytes"]["shop"] < 8e6


def test_the_runtime_is_set_once_and_runs_the_tests(synthesis):
    """LAMBDA_RUNTIME (infra/synth.py) is every function's runtime, and the Python running
    `make test` (the Makefile builds .venv with that version)."""
    assert synth.LAMBDA_RUNTIME == f"python{sys.version_info.major}.{sys.version_info.minor}"
    for function in synthesis.of_type("AWS::Lambda::Function").values():
        assert function["Properties"]["Runtime"] == synth.LAMBDA_RUNTIME
    makefile = (ROOT / "Makefile").read_text()
    assert "LAMBDA_RUNTIME" in makefile


def test_synth_refuses_another_python_than_the_runtime(monkeypatch):
    monkeypatch.setattr(synth, "LAMBDA_RUNTIME", "python3.99")
    with pytest.raises(synth.SynthError, match=r"the Lambda runtime is python3\.99 .* synthesize with python3\.99"):
        synth.check_runtime()


def test_api_functions_give_up_before_api_gateway_and_the_scheduler_before_its_claims_go_stale(synthesis):
    """API Gateway answers 504 after 29 s; a scheduler run must end before CLAIM_SECONDS, when the
    sweep may claim the emails it is still delivering."""
    from hubcycle.repository.owed import CLAIM_SECONDS

    functions = synthesis.of_type("AWS::Lambda::Function")
    for lid in ("ShopAPIHandler", "AdminAPIHandler"):
        assert functions[lid]["Properties"]["Timeout"] < 29
    for lid in SCHEDULER_FUNCTIONS:
        assert functions[lid]["Properties"]["Timeout"] <= CLAIM_SECONDS / 2


# --- The table --------------------------------------------------------------------------------------


def test_the_table_is_the_local_definition_with_point_in_time_recovery(synthesis):
    table = synthesis.resources["Table"]
    properties = table["Properties"]
    for key, value in TABLE_DEFINITION.items():
        assert properties[key] == value, key
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert [g["IndexName"] for g in properties["GlobalSecondaryIndexes"]] == ["GSI1"]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": TIME_TO_LIVE_ATTRIBUTE, "Enabled": True}
    assert set(properties) == set(TABLE_DEFINITION) | {"TableName", "PointInTimeRecoverySpecification",
                                                       "TimeToLiveSpecification"}


def test_data_survives_a_deletion_but_a_failed_first_creation_leaves_no_orphan(synthesis):
    """RetainExceptOnCreate: a first deployment that rolls back deletes the table and the user pool
    it made, so the retry does not fail on their names; later deletions keep them."""
    for lid in ("Table", "UserPool"):
        assert synthesis.resources[lid]["DeletionPolicy"] == "RetainExceptOnCreate", lid
        assert synthesis.resources[lid]["UpdateReplacePolicy"] == "Retain", lid


# --- Least privilege ---------------------------------------------------------------------------------


def all_roles(synthesis) -> list[str]:
    return [*ROLES.values(), "SchedulerInvokeRole"]


def test_no_wildcard_actions_and_no_resource_star(synthesis):
    """No `*` or `service:*` action and no Resource "*" anywhere: every action used here supports
    resource-level permissions. (SES sending is scoped to this account's identities and the stack's
    configuration set, with the From address as condition; Powertools metrics go to stdout (EMF) and
    need no cloudwatch:PutMetricData.)"""
    for role in all_roles(synthesis):
        for statement in synthesis.statements(role):
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                assert "*" not in action, (role, action)
            for resource in statement["Resource"]:
                assert resource != "*", (role, statement)


def test_no_function_may_scan_the_table(synthesis):
    for role in ROLES.values():
        assert "dynamodb:Scan" not in synthesis.actions(role)


def test_shop_deletes_nothing(synthesis):
    assert not {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} & synthesis.actions("ShopRole")


def test_shop_writes_only_in_transactions(synthesis):
    """Orders, stock and offer copies change together or not at all: a stray PutItem or UpdateItem
    would be refused on AWS (tests/functional/test_shop_checkout.py checks the code asks for none)."""
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem"}
    writing = [s for s in synthesis.statements("ShopRole") if writes & set(s["Action"])]
    assert writing
    for statement in writing:
        assert statement["Condition"] == {"ForAnyValue:StringEquals": {"dynamodb:EnclosingOperation": [
            "TransactWriteItems"]}}, statement


def test_shop_arms_outbox_retries_only_and_touches_neither_other_roles_nor_the_bus(synthesis):
    """The shop delivers the email of a shopper's own change, and arms its retry if SES refuses it."""
    actions = synthesis.actions("ShopRole")
    assert {a for a in actions if a.startswith(("scheduler:", "iam:", "events:"))} == {
        "scheduler:CreateSchedule", "scheduler:UpdateSchedule", "iam:PassRole"}


def test_only_admin_manages_schedules_the_others_only_reminders_and_outbox_retries(synthesis):
    """The scheduler function arms a cycle's next reminder schedule (`oc-{id}-remind-{time}`, issue 16):
    continuing a long customer list, retrying after SES errors; it and the shop arm the retry of an
    outbox item AWS refused (`outbox-retry-{minute}`). Nothing else of the group."""
    group = "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${ScheduleGroup}/"
    allowed = {"SchedulerRole": [group + "oc-*-remind-*", group + "outbox-retry-*"], "ShopRole": [group + "outbox-retry-*"]}
    for role in ROLES.values():
        scheduler_actions = {a for a in synthesis.actions(role) if a.startswith("scheduler:")}
        if role == "AdminRole":
            assert scheduler_actions == {"scheduler:CreateSchedule", "scheduler:UpdateSchedule",
                                         "scheduler:DeleteSchedule", "scheduler:GetSchedule"}
        elif role in allowed:
            assert scheduler_actions == {"scheduler:CreateSchedule", "scheduler:UpdateSchedule"}
            (statement,) = [s for s in synthesis.statements(role) if "scheduler:CreateSchedule" in s["Action"]]
            assert statement["Resource"] == [{"Fn::Sub": resource} for resource in allowed[role]]
        else:
            assert scheduler_actions == set(), role
    (statement,) = [s for s in synthesis.statements("AdminRole") if "scheduler:CreateSchedule" in s["Action"]]
    assert statement["Resource"] == [{"Fn::Sub": group + "*"}]


def test_only_the_invoke_role_is_passed_and_only_to_scheduler(synthesis):
    for role in ROLES.values():
        passing = [s for s in synthesis.statements(role) if "iam:PassRole" in s["Action"]]
        if role not in ("AdminRole", "SchedulerRole", "ShopRole"):
            assert passing == [], role
            continue
        (statement,) = passing
        assert statement["Action"] == ["iam:PassRole"]
        assert statement["Resource"] == [{"Fn::GetAtt": ["SchedulerInvokeRole", "Arn"]}]
        assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}


def test_events_are_published_to_the_hubcycle_bus_only(synthesis):
    for role in ("AdminRole", "SchedulerRole"):
        (statement,) = [s for s in synthesis.statements(role) if "events:PutEvents" in s["Action"]]
        assert statement["Resource"] == [{"Fn::GetAtt": ["EventBus", "Arn"]}]


def test_email_is_sent_only_from_the_sender_address(synthesis):
    for role in ROLES.values():
        sending = [s for s in synthesis.statements(role) if any(a.startswith("ses:") for a in s["Action"])]
        assert len(sending) == 1, role
        (statement,) = sending
        assert set(statement["Action"]) == {"ses:SendEmail", "ses:SendRawEmail"}
        assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}


def test_dynamodb_access_is_this_table_and_its_index(synthesis):
    allowed = [{"Fn::GetAtt": ["Table", "Arn"]}, {"Fn::Sub": "${Table.Arn}/index/*"}]
    for role in ROLES.values():
        for statement in synthesis.statements(role):
            if any(a.startswith("dynamodb:") for a in statement["Action"]):
                assert all(r in allowed for r in statement["Resource"]), (role, statement)


def test_functions_write_only_their_own_logs(synthesis):
    for app, role in ROLES.items():
        (statement,) = [s for s in synthesis.statements(role) if any(a.startswith("logs:") for a in s["Action"])]
        assert set(statement["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
        for resource in statement["Resource"]:
            assert re.fullmatch(r"arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:"
                                rf"/aws/lambda/\$\{{AWS::StackName\}}-{app}(-\*)?:\*", resource["Fn::Sub"]), resource
    for lid, function in synthesis.of_type("AWS::Lambda::Function").items():
        group = synthesis.resources[f"{lid}LogGroup"]["Properties"]
        assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/" + function["Properties"]["FunctionName"]["Fn::Sub"]}
        assert f"{lid}LogGroup" in function["DependsOn"]


def test_the_invoke_role_can_only_invoke_the_schedule_target(synthesis):
    role = synthesis.resources["SchedulerInvokeRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert trust["Condition"]["ArnEquals"] == {"aws:SourceArn": {"Fn::GetAtt": ["ScheduleGroup", "Arn"]}}
    (statement, dead_letters) = synthesis.statements("SchedulerInvokeRole")
    assert statement["Action"] == ["lambda:InvokeFunction"]
    assert dead_letters["Action"] == ["sqs:SendMessage"]
    target = synthesis.resources["SchedulerOnSchedule"]["Properties"]["FunctionName"]["Fn::Sub"]
    prefix = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
    assert [r["Fn::Sub"] for r in statement["Resource"]] == [prefix + target, prefix + target + ":*"]
    for function in synthesis.of_type("AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["HUBCYCLE_SCHEDULER_TARGET_ARN"] == {"Fn::Sub": prefix + target}


# --- Wiring -------------------------------------------------------------------------------------------


def test_the_three_hourly_safety_rule_invokes_the_sweep(synthesis):
    rule = synthesis.resources["SweepRule"]["Properties"]
    assert rule["ScheduleExpression"] == "rate(3 hours)"
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["SchedulerSweep", "Arn"]}
    permission = synthesis.resources["SweepPermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "SchedulerSweep"}
    assert permission["SourceArn"] == {"Fn::GetAtt": ["SweepRule", "Arn"]}


DEAD_LETTER_QUEUE = {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}


def test_every_trigger_retries_then_dead_letters(synthesis):
    """The rules' targets, the scheduler functions' asynchronous invocations and the one-time
    schedules (hubcycle.adapters.schedules, given the queue's ARN) retry alike, then put what
    failed in the one dead-letter queue, which each sender may write to."""
    for rule in ("SweepRule", "SesEventsRule"):
        (target,) = synthesis.resources[rule]["Properties"]["Targets"]
        assert target["RetryPolicy"] == RETRY_POLICY
        assert target["DeadLetterConfig"] == {"Arn": DEAD_LETTER_QUEUE}
    configs = synthesis.of_type("AWS::Lambda::EventInvokeConfig")
    assert {c["Properties"]["FunctionName"]["Ref"] for c in configs.values()} == set(SCHEDULER_FUNCTIONS)
    for config in configs.values():
        properties = config["Properties"]
        assert properties["MaximumRetryAttempts"] == RETRY_POLICY["MaximumRetryAttempts"]
        assert properties["MaximumEventAgeInSeconds"] == RETRY_POLICY["MaximumEventAgeInSeconds"]
        assert properties["DestinationConfig"] == {"OnFailure": {"Destination": DEAD_LETTER_QUEUE}}
    for function in synthesis.of_type("AWS::Lambda::Function").values():
        assert function["Properties"]["Environment"]["Variables"]["HUBCYCLE_DEAD_LETTER_QUEUE_ARN"] == DEAD_LETTER_QUEUE
    for role in ("SchedulerInvokeRole", "SchedulerRole"):  # Scheduler's execution role; Lambda's destination
        assert [s["Resource"] for s in synthesis.statements(role) if "sqs:SendMessage" in s["Action"]] == [
            [DEAD_LETTER_QUEUE]]
    (allow, deny) = synthesis.resources["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"} and allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        {"Fn::GetAtt": ["SweepRule", "Arn"]}, {"Fn::GetAtt": ["SesEventsRule", "Arn"]}]
    assert deny["Effect"] == "Deny"


def test_alarms_email_the_operator(synthesis):
    parameter = synthesis.template["Parameters"]["OperatorEmail"]
    assert "Default" not in parameter  # asked for at the first deployment
    subscription = synthesis.resources["AlarmTopicOperator"]["Properties"]
    assert subscription == {"TopicArn": {"Ref": "AlarmTopic"}, "Protocol": "email", "Endpoint": {"Ref": "OperatorEmail"}}
    alarms = {lid: a["Properties"] for lid, a in synthesis.of_type("AWS::CloudWatch::Alarm").items()}
    assert set(alarms) == {"DeadLettersAlarm", "ApiErrorsAlarm", "ApiThrottlesAlarm", "FailedEmailsAlarm"}
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        assert alarm["Threshold"] == 1 and alarm["TreatMissingData"] == "notBreaching"

    def watched(alarm):
        return {(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"],
                 json.dumps(m["MetricStat"]["Metric"]["Dimensions"][0]["Value"], sort_keys=True))
                for m in alarm["Metrics"] if "MetricStat" in m}

    dead = alarms["DeadLettersAlarm"]
    assert (dead["Namespace"], dead["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert dead["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}}]
    assert watched(alarms["ApiErrorsAlarm"]) == {("AWS/Lambda", "Errors", json.dumps({"Ref": f}))
                                                 for f in ("ShopAPIHandler", "AdminAPIHandler")}
    assert watched(alarms["ApiThrottlesAlarm"]) == {("AWS/Lambda", "Throttles", json.dumps({"Ref": f}))
                                                    for f in ("ShopAPIHandler", "AdminAPIHandler")}
    assert watched(alarms["FailedEmailsAlarm"]) == {
        ("hubcycle", "EmailFailures", '"hubcycle"'),
        ("hubcycle", "ProducerEmailsBounced", '"hubcycle-scheduler"')}
    metrics = sum(len([m for m in a.get("Metrics", []) if "MetricStat" in m]) or 1 for a in alarms.values())
    assert metrics == 7  # within CloudWatch's always-free 10 alarm metrics per account (bench/bill.py)
    for name in ('EMAIL_FAILURES = "EmailFailures"', "ProducerEmailsBounced"):  # the names emitted
        assert any(name in (ROOT / path).read_text() for path in (
            "layers/domain/hubcycle/adapters/metrics.py", "functions/scheduler/app.py")), name


def test_the_waf_rate_rule_is_offered_off_by_default(synthesis):
    assert synthesis.template["Parameters"]["CheckoutWafRateLimit"]["Default"] == 0
    acl = synthesis.resources["CheckoutWebAcl"]
    association = synthesis.resources["CheckoutWebAclAssociation"]
    assert acl["Condition"] == association["Condition"] == "HasCheckoutWaf"
    assert synthesis.template["Conditions"]["HasCheckoutWaf"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "CheckoutWafRateLimit"}, 0]}]}
    (rule,) = acl["Properties"]["Rules"]
    assert rule["Statement"]["RateBasedStatement"]["Limit"] == {"Ref": "CheckoutWafRateLimit"}
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    assert "${ShopRestAPI}" in association["Properties"]["ResourceArn"]["Fn::Sub"]


EXPECTED_STATUSES = {"UNAUTHORIZED": "401", "EXPIRED_TOKEN": "401", "ACCESS_DENIED": "403",
                     "MISSING_AUTHENTICATION_TOKEN": "404", "RESOURCE_NOT_FOUND": "404", "BAD_REQUEST_BODY": "400",
                     "REQUEST_TOO_LARGE": "413", "THROTTLED": "429", "QUOTA_EXCEEDED": "429",
                     "INTEGRATION_TIMEOUT": "504"}


@pytest.mark.parametrize("api", ["ShopRestAPI", "AdminRestAPI"])
def test_api_gateways_own_refusals_use_the_contracts_error_shape(synthesis, api):
    """What API Gateway answers without calling the function (no token, unknown route, throttled,
    too large, timed out...) is the contract's {"error": {"code", "message", "field"}} too."""
    responses = synthesis.resources[api]["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX", *EXPECTED_STATUSES} <= set(responses)
    for kind, response in responses.items():
        if kind in EXPECTED_STATUSES:
            assert response["statusCode"] == EXPECTED_STATUSES[kind], kind
        assert response["responseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"
        template = response["responseTemplates"]["application/json"]
        rendered = json.loads(template.replace("$context.error.messageString", '"API Gateway\'s message"'))
        assert set(rendered) == {"error"} and set(rendered["error"]) == {"code", "message", "field"}, kind
        assert re.fullmatch(r"[a-z_]+", rendered["error"]["code"]), kind
        assert rendered["error"]["message"] == "API Gateway's message"
    assert responses["THROTTLED"]["responseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"
    assert json.loads(responses["UNAUTHORIZED"]["responseTemplates"]["application/json"].replace(
        "$context.error.messageString", '""'))["error"]["code"] == "unauthorized"


def test_bounces_and_complaints_reach_the_scheduler_function(synthesis):
    destination = synthesis.resources["SesEventsDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "SesConfigurationSet"}
    assert sorted(destination["EventDestination"]["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["EventDestination"]["EventBridgeDestination"]["EventBusArn"]["Fn::Sub"].endswith(
        ":event-bus/default")
    rule = synthesis.resources["SesEventsRule"]["Properties"]
    assert "EventBusName" not in rule  # SES publishes to the default bus only
    assert rule["EventPattern"]["source"] == ["aws.ses"]
    assert sorted(rule["EventPattern"]["detail-type"]) == ["Email Bounced", "Email Complaint Received"]
    assert rule["EventPattern"]["detail"]["mail"]["tags"]["ses:configuration-set"] == [{"Ref": "SesConfigurationSet"}]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["SchedulerOnSesEvent", "Arn"]}
    assert synthesis.resources["SesEventsPermission"]["Properties"]["SourceArn"] == {"Fn::GetAtt": ["SesEventsRule", "Arn"]}
    for identity in ("SenderEmailIdentity", "SenderDomainIdentity"):
        attributes = synthesis.resources[identity]["Properties"]["ConfigurationSetAttributes"]
        assert attributes == {"ConfigurationSetName": {"Ref": "SesConfigurationSet"}}


def test_storefront_bucket_is_private_and_read_only_by_its_distribution(synthesis):
    bucket = synthesis.resources["StorefrontBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert "WebsiteConfiguration" not in bucket
    statements = synthesis.resources["StorefrontBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"].endswith(
        ":distribution/${StorefrontDistribution}")
    config = synthesis.resources["StorefrontDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["StorefrontOriginAccessControl", "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (config_js,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/config.js"]
    assert config_js["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled


def test_shop_cors_never_allows_any_origin(synthesis):
    text = json.dumps(synthesis.resources["ShopRestAPI"])
    assert "'*'" not in text
    assert "storefront-origin.hubcycle.invalid" not in json.dumps(synthesis.template)
    body = synthesis.resources["ShopRestAPI"]["Properties"]["Body"]
    for response in body["x-amazon-apigateway-gateway-responses"].values():
        assert response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == STOREFRONT_ORIGIN


def test_shop_cors_preflight_answers_the_storefront_origin(synthesis):
    body = synthesis.resources["ShopRestAPI"]["Properties"]["Body"]
    origins = [r["responseParameters"]["method.response.header.Access-Control-Allow-Origin"]
               for methods in body["paths"].values() for method, operation in methods.items() if method == "options"
               for r in operation["x-amazon-apigateway-integration"]["responses"].values()]
    assert origins and all(o == STOREFRONT_ORIGIN for o in origins)


def test_admin_cors_answers_the_consoles_origin_even_when_api_gateway_refuses(real):
    """The console (under /console/ of the storefront's origin) reads the admin API's answers,
    the preflights' and the authorizer's refusals (401) included."""
    body = real.resources["AdminRestAPI"]["Properties"]["Body"]
    origins = [r["responseParameters"]["method.response.header.Access-Control-Allow-Origin"]
               for methods in body["paths"].values() for method, operation in methods.items() if method == "options"
               for r in operation["x-amazon-apigateway-integration"]["responses"].values()]
    assert origins and all(o == STOREFRONT_ORIGIN for o in origins)
    refusals = body["x-amazon-apigateway-gateway-responses"]
    assert refusals["DEFAULT_4XX"]["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] \
        == STOREFRONT_ORIGIN


def test_admin_routes_require_the_stacks_user_pool(synthesis):
    body = synthesis.resources["AdminRestAPI"]["Properties"]["Body"]
    definitions = body["securityDefinitions"]
    assert definitions
    for definition in definitions.values():
        assert definition["x-amazon-apigateway-authtype"] == "cognito_user_pools"
        assert definition["x-amazon-apigateway-authorizer"]["providerARNs"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    routes = 0
    for path, methods in body["paths"].items():
        for method, operation in methods.items():
            if method != "options" and path != "/health":
                routes += 1
                assert operation.get("security") in ([{name: []}] for name in definitions), (method, path)
    assert routes


def test_the_apps_meet_the_contract(synthesis):
    """What functions/*/app.py must provide (docs/deploy.md): the scheduler's three entry points,
    the admin API's Cognito authorizer, the shop's CORS from HUBCYCLE_STOREFRONT_ORIGIN."""
    assert synthesis.manifest["missing"] == []
    assert synthesis.manifest["entry_points"] == dict.fromkeys(SCHEDULER_FUNCTIONS, "chalice")


def test_scheduler_triggers_come_from_the_stack_only(synthesis):
    rules = synthesis.of_type("AWS::Events::Rule")
    assert set(rules) == {"SweepRule", "SesEventsRule"}
    permissions = synthesis.of_type("AWS::Lambda::Permission")
    assert {lid: p["Properties"]["FunctionName"] for lid, p in permissions.items()} == {
        "ShopAPIHandlerInvokePermission": {"Ref": "ShopAPIHandler"},
        "AdminAPIHandlerInvokePermission": {"Ref": "AdminAPIHandler"},
        "SweepPermission": {"Ref": "SchedulerSweep"},
        "SesEventsPermission": {"Ref": "SchedulerOnSesEvent"},
    }  # SchedulerOnSchedule is invoked through SchedulerInvokeRole (EventBridge Scheduler)


def test_only_the_admin_api_may_invoke_the_admin_function(synthesis):
    """The admin function takes the caller's claims from its event, where API Gateway's Cognito
    authorizer puts them once the token is verified: whatever else could invoke it could pass any
    claims. So: no function URL, and one permission, for the admin REST API."""
    assert synthesis.of_type("AWS::Lambda::Url") == {}
    admin = [p["Properties"] for p in synthesis.of_type("AWS::Lambda::Permission").values()
             if p["Properties"]["FunctionName"] == {"Ref": "AdminAPIHandler"}]
    assert [(p["Principal"], p["SourceArn"]["Fn::Sub"][1]) for p in admin] == [
        ("apigateway.amazonaws.com", {"RestAPIId": {"Ref": "AdminRestAPI"}})]


def test_the_user_pool_identifies_managers_by_email(synthesis):
    pool = synthesis.resources["UserPool"]["Properties"]
    assert pool["UsernameAttributes"] == ["email"]
    client = synthesis.resources["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False and "email" in client["ReadAttributes"]


def test_strict_synthesis_refuses_apps_that_break_the_contract(tmp_path):
    """A scheduler without `sweep`, an admin route without the authorizer, a shop CORS open to every
    origin: --strict fails and says what is missing, yet the template stays complete and valid."""
    functions = tmp_path / "functions"
    for app in APPS:
        (functions / app / ".chalice").mkdir(parents=True)
        for name in ("config.json", "policy.json"):
            shutil.copy(FUNCTIONS / app / ".chalice" / name, functions / app / ".chalice" / name)
        (functions / app / "requirements.txt").write_text("")
    (functions / "scheduler" / "app.py").write_text(
        "from chalice import Chalice\napp = Chalice(app_name='hubcycle-scheduler')\n\n"
        "@app.lambda_function(name='on_schedule')\ndef on_schedule(event, context):\n    return {}\n\n"
        "@app.lambda_function(name='on_ses_event')\ndef on_ses_event(event, context):\n    return {}\n")
    (functions / "admin" / "app.py").write_text(
        "from chalice import Chalice\napp = Chalice(app_name='hubcycle-admin')\n\n"
        "@app.route('/enterprises')\ndef enterprises():\n    return []\n")
    (functions / "shop" / "app.py").write_text(
        "from chalice import Chalice\napp = Chalice(app_name='hubcycle-shop')\n\n"
        "@app.route('/shops', cors=True)\ndef shops():\n    return []\n")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(SYNTH), "--out", str(out), "--strict", "--no-bytecode",
                           "--functions-dir", str(functions)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    missing = "\n".join(manifest["missing"])
    assert "defines no `sweep`" in missing
    assert "declares no chalice.CognitoUserPoolAuthorizer" in missing and "GET /enterprises" in missing
    assert "CORS allow_origin must be" in missing
    assert manifest["entry_points"]["SchedulerSweep"] == "infra"
    assert [f for f in manifest["lint"] if f["level"] in ("error", "warning")] == []
    template = json.loads((out / "template.json").read_text())
    assert template["Resources"]["SchedulerSweep"]["Properties"]["Handler"] == "app.sweep"


# --- Storefront configuration and deploy script -------------------------------------------------------


def test_config_js_gets_the_shop_api_url_and_keeps_other_settings():
    source = (ROOT / "storefront" / "config.js").read_text() if (ROOT / "storefront" / "config.js").exists() else (
        'window.HUBCYCLE_CONFIG = {\n  shopApiUrl: "http://127.0.0.1:8001",\n  currency: "EUR",\n};\n')
    url = "https://abc123.execute-api.eu-west-1.amazonaws.com/api"
    rendered = storefront.render_config(source, url + "/")
    assert f'shopApiUrl: "{url}"' in rendered
    assert rendered.count("shopApiUrl: \"") == 1
    changed = [(old, new) for old, new in zip(source.splitlines(), rendered.splitlines()) if old != new]
    assert len(rendered.splitlines()) == len(source.splitlines()) and len(changed) == 1
    assert "shopApiUrl" in changed[0][0] and url in changed[0][1]


def test_config_js_without_the_setting_or_file():
    url = "https://abc123.execute-api.eu-west-1.amazonaws.com/api"
    assert storefront.render_config(None, url) == f'window.HUBCYCLE_CONFIG = {{shopApiUrl: "{url}"}};\n'
    appended = storefront.render_config("window.HUBCYCLE_CONFIG = {currency: 'EUR'};\n", url)
    assert appended.startswith("window.HUBCYCLE_CONFIG = {currency: 'EUR'};\n")
    assert f'Object.assign(window.HUBCYCLE_CONFIG || {{}}, {{shopApiUrl: "{url}"}})' in appended
    with pytest.raises(ValueError):
        storefront.render_config(None, "http://insecure.example")


def test_storefront_staging_uploads_nothing_but_the_site(tmp_path):
    source = tmp_path / "site"
    source.mkdir()
    (source / "index.html").write_text("<html></html>")
    (source / "README.md").write_text("notes")
    (source / "config.js").write_text('window.HUBCYCLE_CONFIG = {shopApiUrl: ""};\n')
    staged = storefront.stage(source, tmp_path / "staged", "https://x.execute-api.eu-west-1.amazonaws.com/api")
    assert sorted(p.name for p in staged.iterdir()) == ["config.js", "index.html"]
    assert (source / "config.js").read_text() == 'window.HUBCYCLE_CONFIG = {shopApiUrl: ""};\n'


def test_console_staging_puts_the_build_under_console_with_the_deployed_settings(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / "index.html").write_text("<html></html>")
    (build / "app.js").write_text("")
    (build / "app.js.map").write_text("{}")
    (build / "config.js").write_text("window.HUBCYCLE_CONSOLE_CONFIG = {};\n")
    staged = storefront.stage_console(build, tmp_path / "site", "https://a.execute-api.eu-west-1.amazonaws.com/api/",
                                      "eu-west-1_pool", "client")
    assert sorted(p.name for p in staged.iterdir()) == ["app.js", "config.js", "index.html"]
    config = json.loads((staged / "config.js").read_text().split(" = ", 1)[1].rstrip(";\n"))
    assert config == {"adminApiUrl": "https://a.execute-api.eu-west-1.amazonaws.com/api", "userPoolId": "eu-west-1_pool",
                      "userPoolClientId": "client", "cognitoEndpoint": "", "local": False, "currency": "EUR"}


def test_other_static_sites_are_staged_under_their_path(tmp_path, monkeypatch):
    """STATIC_SITES: where another static app (e.g. console/) joins the storefront's bucket."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html></html>")
    (tmp_path / "console").mkdir()
    (tmp_path / "console" / "index.html").write_text("<html>console</html>")
    (tmp_path / "console" / "NOTES.md").write_text("not uploaded")
    monkeypatch.setattr(storefront, "STATIC_SITES", {"console": "console", "absent": "absent"})
    staged = storefront.stage(tmp_path / "site", tmp_path / "staged", "https://x.execute-api.eu-west-1.amazonaws.com/api")
    assert sorted(p.name for p in (staged / "console").iterdir()) == ["index.html"]
    assert not (staged / "absent").exists()


def test_deploy_script_parses():
    done = subprocess.run(["bash", "-n", str(ROOT / "infra" / "deploy.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def stub_deploy(tmp_path, **environment):
    """Run infra/deploy.sh against tests/infra/fake_aws.py: returns deploy_sh(*arguments, status=0)
    -> (stdout, the calls made) and the fake's state folder."""
    state = tmp_path / "state"
    state.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(f"#!/bin/sh\nexec {sys.executable} {Path(__file__).parent / 'fake_aws.py'} \"$@\"\n")
    aws.chmod(0o755)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
           "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_AWS_STATE": str(state), "PYTHON": sys.executable, **environment}

    def deploy_sh(*arguments, status=0):
        done = subprocess.run(["bash", str(ROOT / "infra" / "deploy.sh"), *arguments], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == status, done.stdout + done.stderr
        calls = [json.loads(line) for line in (state / "calls.jsonl").read_text().splitlines()]
        (state / "calls.jsonl").unlink()
        return done.stdout, calls

    return deploy_sh, state


def test_one_command_deploys_and_tears_down_with_a_stub_aws_cli(real, tmp_path):
    """infra/deploy.sh against tests/infra/fake_aws.py: the calls it makes, in order, with what."""
    deploy_sh, state = stub_deploy(tmp_path)
    output, calls = deploy_sh("--no-synth", "--sender", "orders@hub.example", "--operator-email", "ops@hub.example",
                              "--stack", "hubtest", "--region", "eu-west-1")
    (deploy,) = [c for c in calls if c[:2] == ["cloudformation", "deploy"]]
    assert deploy[deploy.index("--template-file") + 1] == "infra/out/template.json"
    assert "CAPABILITY_IAM" in deploy and deploy[deploy.index("--stack-name") + 1] == "hubtest"
    overrides = deploy[deploy.index("--parameter-overrides") + 1:]
    assert "ArtifactBucket=hubcycle-artifacts-123456789012-eu-west-1" in overrides
    assert "SenderEmail=orders@hub.example" in overrides and "OperatorEmail=ops@hub.example" in overrides
    for app, prefix in (("shop", "Shop"), ("admin", "Admin"), ("scheduler", "Scheduler")):
        (key,) = [o.split("=", 1)[1] for o in overrides if o.startswith(f"{prefix}CodeKey=")]
        assert re.fullmatch(rf"hubtest/{app}-[0-9a-f]{{32}}\.zip", key)
        assert ["s3", "cp", f"infra/out/{app}/deployment.zip", f"s3://hubcycle-artifacts-123456789012-eu-west-1/{key}",
                "--only-show-errors"] in calls
    assert set(o.split("=")[0] for o in overrides) == {"ArtifactBucket", "ShopCodeKey", "AdminCodeKey",
                                                       "SchedulerCodeKey", "SenderEmail", "OperatorEmail"}
    template_parameters = set(real.template["Parameters"])
    assert {o.split("=")[0] for o in overrides} <= template_parameters
    config_js = (state / "uploaded-config.js").read_text()
    assert 'shopApiUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/api"' in config_js
    console_config = (state / "uploaded-console-config.js").read_text()
    assert '"adminApiUrl": "https://def456.execute-api.eu-west-1.amazonaws.com/api"' in console_config
    assert '"userPoolClientId": "3abcdefghijklmnopqrstuvwx"' in console_config
    assert ["cloudfront", "create-invalidation", "--distribution-id", "E2EXAMPLE", "--paths", "/*"] in calls
    assert calls.index(deploy) < calls.index(["cloudfront", "create-invalidation", "--distribution-id", "E2EXAMPLE",
                                              "--paths", "/*"])
    assert "https://d111111abcdef8.cloudfront.net" in output
    # The storefront goes up as built (minified, no source maps), and the managers' photos stay.
    (sync,) = [c for c in calls if c[:2] == ["s3", "sync"]]
    assert sync[2] == "infra/out/storefront" and ["--delete", "--only-show-errors", "--exclude", "uploads/*"] == sync[4:8]
    staged = ROOT / "infra" / "out" / "storefront"
    bundle = (staged / "app.js").read_text()
    assert len(bundle.splitlines()) < 10 and "import " not in bundle and not list(staged.rglob("*.map"))
    assert (staged / "shared" / "base.css").is_file() and not (staged / "build.mjs").exists()

    output, calls = deploy_sh("destroy", "--stack", "hubtest", "--region", "eu-west-1", "--delete-data")
    commands = [c[:2] for c in calls]
    assert commands.index(["s3", "rm"]) < commands.index(["cloudformation", "delete-stack"])
    assert ["dynamodb", "delete-table", "--table-name", "hubtest"] in calls
    assert ["cognito-idp", "delete-user-pool", "--user-pool-id", "eu-west-1_AbCdEf"] in calls


def test_a_failed_first_creation_is_explained_and_cleaned_before_deploying_again(real, tmp_path):
    """A first deployment that rolled back (ROLLBACK_COMPLETE) cannot be updated: deploy.sh says what
    failed and why, refuses to go on unasked, and with --yes deletes it and deploys again."""
    deploy_sh, state = stub_deploy(tmp_path, FAKE_AWS_REGION="eu-central-1")
    (state / "stack").write_text("ROLLBACK_COMPLETE")
    arguments = ("--no-synth", "--sender", "orders@hub.example", "--operator-email", "ops@hub.example", "--stack", "hubtest")
    output, calls = deploy_sh(*arguments, status=1)
    assert "failed and was rolled back (ROLLBACK_COMPLETE)" in output
    assert "must be verified before you can add new CloudFront resources" in output
    assert "in eu-central-1" in output  # the profile's region, as the AWS CLI reads it
    assert not [c for c in calls if c[:2] in (["cloudformation", "delete-stack"], ["cloudformation", "deploy"])]

    output, calls = deploy_sh(*arguments, "--yes")
    commands = [c[:2] for c in calls]
    assert commands.index(["cloudformation", "delete-stack"]) < commands.index(["cloudformation", "deploy"])
    assert ["cloudformation", "wait", "stack-delete-complete", "--stack-name", "hubtest"] in calls


def test_a_first_deployment_needs_an_operator_and_no_leftover_table(real, tmp_path):
    deploy_sh, state = stub_deploy(tmp_path)
    output, calls = deploy_sh("--no-synth", "--sender", "orders@hub.example", "--region", "eu-west-1", status=1)
    assert not [c for c in calls if c[:2] == ["cloudformation", "deploy"]]
    (state / "orphan-table").touch()
    done = subprocess.run(["bash", str(ROOT / "infra" / "deploy.sh"), "--no-synth", "--sender", "o@hub.example",
                           "--operator-email", "ops@hub.example", "--stack", "hubtest"],
                          cwd=tmp_path, env={**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
                                             "FAKE_AWS_STATE": str(state), "AWS_REGION": "eu-west-1"},
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "a table named hubtest exists already" in done.stderr


# --- checkov ------------------------------------------------------------------------------------------

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def test_checkov_finds_nothing_left_unexplained(real):
    """checkov (PyPI, requirements/checkov.txt) on the synthesized template, as `make synth` runs it."""
    assert CHECKOV.exists(), "checkov is not installed: make .venv-checkov/.installed (make test and make synth do)"
    result = synth.checkov(real.out / "template.json", str(CHECKOV))
    assert result["failed"] == []
    assert result["summary"]["passed"] >= 60 and result["summary"]["parsing_errors"] == 0


def test_every_check_checkov_skips_is_explained_in_the_deploy_docs():
    import yaml

    skipped = yaml.safe_load(synth.CHECKOV_CONFIG.read_text())["skip-check"]
    docs = (ROOT / "docs" / "deploy.md").read_text()
    section = docs[docs.index("## What checkov reports and why it stays"):]
    section = section[:section.index("\n## ", 3)]
    rows = {line.split("|")[1].strip().strip("`"): line for line in section.splitlines() if line.startswith("| `CKV")}
    assert sorted(rows) == sorted(skipped)
    for check, row in rows.items():
        assert len(row.split("|")[2].strip()) > 40, f"{check}: say why it stays"
