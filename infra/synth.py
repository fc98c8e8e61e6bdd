#!/usr/bin/env python3
"""Synthesize the whole hubcycle stack into ONE deployable CloudFormation template, offline, and
validate it with cfn-lint.

    python infra/synth.py [--out infra/out] [--region eu-west-1] [--strict] [--no-lint] [--no-bytecode]
                          [--checkov .venv-checkov/bin/checkov]

What it does:
1. `chalice package --pkg-format cloudformation` for functions/shop, functions/admin and
   functions/scheduler, in parallel (no AWS credentials needed; a region is). Chalice builds each
   deployment.zip with the app, the vendored `hubcycle` package and requirements.txt installed for
   Lambda (manylinux wheels, downloaded with pip; Chalice caches the result in
   functions/<app>/.chalice/deployments/ and reuses it while requirements.txt, app.py and vendor/
   are unchanged).
2. Renames each app's resources with its prefix (APIHandler -> ShopAPIHandler, ...), gives every
   function an explicit name (<stack>-shop, <stack>-admin, <stack>-scheduler-<entry point>), its
   log group, the role built from functions/<app>/.chalice/policy.json, and every HUBCYCLE_*
   setting; wires the admin API's Cognito authorizer(s) to the stack's user pool and the shop API's
   CORS origin to the storefront's CloudFront domain; maps the scheduler's three entry points to
   the triggers of infra/core.yaml.
3. Turns Chalice's SAM resources into plain CloudFormation (Lambda functions with their code in S3,
   REST APIs with a deployment and a stage), so no transform runs at deploy time and cfn-lint checks
   exactly what CloudFormation receives.
4. Merges them with infra/core.yaml (user pool, bus, schedule group, SES, storefront...) and the
   table rendered from layers/domain/hubcycle/repository/table.py, and writes
   <out>/template.json, <out>/<app>/deployment.zip and <out>/manifest.json.
5. Precompiles the zips' Python files (unchecked-hash .pyc: Lambda's code directory is read-only,
   so without them every cold start compiles every import).
6. Lints template.json with cfn-lint and exits 1 on any error or warning; with --checkov, runs checkov
   too (infra/checkov.yaml) and exits 1 on any finding it does not skip.

Exit status: 0 ok; 1 lint findings, a broken app or (with --strict) an unmet contract between the
apps and the stack ("What the apps must provide" in docs/deploy.md); 2 bad usage.
"""
from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import importlib.util
import json
import marshal
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
FUNCTIONS = ROOT / "functions"
CORE_TEMPLATE = INFRA / "core.yaml"
DOMAIN = ROOT / "layers" / "domain"
SETTINGS_MODULE = DOMAIN / "hubcycle" / "settings.py"
DEFAULT_OUT = INFRA / "out"
DEFAULT_REGION = "eu-west-1"
CHALICE_STAGE = "dev"
LAMBDA_RUNTIME = "python3.11"
"""The one place the functions' Python is set. The Makefile creates .venv with this version, so
`make test` runs on it too; Lambda deprecates python3.11 on 2027-06-30 (docs/deploy.md, "Runtime")."""
SHOP_ZIP_LIMIT_MB = 8

APPS = {"shop": "Shop", "admin": "Admin", "scheduler": "Scheduler"}
"""Chalice project (functions/<name>) -> prefix of its logical ids in the stack."""

SCHEDULER_ENTRY_POINTS = {
    "on_schedule": "SchedulerOnSchedule",
    "sweep": "SchedulerSweep",
    "on_ses_event": "SchedulerOnSesEvent",
}
"""Module-level functions of functions/scheduler/app.py (Lambda handler `app.<name>`) -> logical id.
on_schedule: the target of the one-time schedules the admin function creates;
sweep: the 15-minute safety rule; on_ses_event: SES bounces and complaints (EventBridge)."""

SCHEDULE_TARGET_NAME = "${AWS::StackName}-scheduler-on-schedule"

STOREFRONT_ORIGIN_SENTINEL = "https://storefront-origin.hubcycle.invalid"
"""HUBCYCLE_STOREFRONT_ORIGIN while Chalice imports the apps: wherever the shop app puts the origin
into its API definition (CORS preflight), synth replaces it with the real CloudFront origin."""
STOREFRONT_ORIGIN = "https://${StorefrontDistribution.DomainName}"

ENVIRONMENT = {
    "HUBCYCLE_TABLE": {"Ref": "Table"},
    "HUBCYCLE_EVENT_BUS": {"Ref": "EventBus"},
    "HUBCYCLE_SCHEDULE_GROUP": {"Ref": "ScheduleGroup"},
    "HUBCYCLE_SCHEDULER_TARGET_ARN": {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + SCHEDULE_TARGET_NAME
    },
    "HUBCYCLE_SCHEDULER_ROLE_ARN": {"Fn::GetAtt": ["SchedulerInvokeRole", "Arn"]},
    "HUBCYCLE_SENDER": {"Ref": "SenderEmail"},
    "HUBCYCLE_SES_CONFIGURATION_SET": {"Ref": "SesConfigurationSet"},
    "HUBCYCLE_USER_POOL_ID": {"Ref": "UserPool"},
    "HUBCYCLE_USER_POOL_CLIENT_ID": {"Ref": "UserPoolClient"},
    "HUBCYCLE_USER_POOL_ARN": {"Fn::GetAtt": ["UserPool", "Arn"]},
    "HUBCYCLE_API_GATEWAY_VERIFIES_TOKENS": "true",
    "HUBCYCLE_STOREFRONT_ORIGIN": {"Fn::Sub": STOREFRONT_ORIGIN},
    "HUBCYCLE_UPLOADS_BUCKET": {"Ref": "StorefrontBucket"},
    "HUBCYCLE_UPLOADS_URL": {"Fn::Sub": STOREFRONT_ORIGIN},
    "HUBCYCLE_DEAD_LETTER_QUEUE_ARN": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
    "HUBCYCLE_CHECKOUT_ORDERS_PER_HOUR": {"Ref": "CheckoutOrdersPerHour"},
    "HUBCYCLE_CONSOLE_URL": {"Fn::Sub": STOREFRONT_ORIGIN + "/console/"},
    "HUBCYCLE_CURRENCY": "EUR",
    "HUBCYCLE_REPORTS_BUCKET": {"Ref": "ReportsBucket"},
    "HUBCYCLE_RESPONSE_LIMIT_BYTES": str(5 * 1024 * 1024),
}
"""Every setting of layers/domain/hubcycle/settings.py, as the deployed functions see it."""

SHOP_CORS_HEADERS = "'Content-Type,Idempotency-Key,Authorization'"

GATEWAY_RESPONSES = {
    # type: (status, code, field). API Gateway's own refusals, in the contract's error body
    # {"error": {"code", "message", "field"}} (message: API Gateway's). None keeps its status.
    "DEFAULT_4XX": (None, "bad_request", None),
    "DEFAULT_5XX": (None, "try_again", None),
    "UNAUTHORIZED": ("401", "unauthorized", "Authorization"),
    "EXPIRED_TOKEN": ("401", "unauthorized", "Authorization"),
    "INVALID_SIGNATURE": ("401", "unauthorized", "Authorization"),
    "ACCESS_DENIED": ("403", "forbidden", None),
    "AUTHORIZER_FAILURE": ("500", "try_again", None),
    "AUTHORIZER_CONFIGURATION_ERROR": ("500", "try_again", None),
    "WAF_FILTERED": ("403", "forbidden", None),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found", None),  # REST APIs answer this for unknown routes
    "RESOURCE_NOT_FOUND": ("404", "not_found", None),
    "BAD_REQUEST_BODY": ("400", "malformed_json", None),
    "BAD_REQUEST_PARAMETERS": ("400", "bad_request", None),
    "REQUEST_TOO_LARGE": ("413", "body_too_large", None),
    "UNSUPPORTED_MEDIA_TYPE": ("415", "unsupported_media_type", "Content-Type"),
    "THROTTLED": ("429", "too_many_requests", None),
    "QUOTA_EXCEEDED": ("429", "too_many_requests", None),
    "INTEGRATION_FAILURE": ("502", "try_again", None),
    "INTEGRATION_TIMEOUT": ("504", "try_again", None),
    "API_CONFIGURATION_ERROR": ("500", "try_again", None),
}
RETRY_AFTER_SECONDS = {"THROTTLED": "1", "QUOTA_EXCEEDED": "60", "INTEGRATION_FAILURE": "1", "INTEGRATION_TIMEOUT": "1",
                       "DEFAULT_5XX": "1"}
"""The stage throttle is per second; a busy or failed integration is worth another try shortly."""


def gateway_responses(extra_headers: dict[str, object]) -> dict:
    responses = {}
    for kind, (status, code, field) in GATEWAY_RESPONSES.items():
        body = json.dumps({"error": {"code": code, "message": "MESSAGE", "field": field}})
        response = {
            "responseTemplates": {"application/json": body.replace('"MESSAGE"', "$context.error.messageString")},
            "responseParameters": {"gatewayresponse.header.Content-Type": "'application/json'", **extra_headers},
        }
        if kind in RETRY_AFTER_SECONDS:
            response["responseParameters"]["gatewayresponse.header.Retry-After"] = f"'{RETRY_AFTER_SECONDS[kind]}'"
        if status:
            response["statusCode"] = status
        responses[kind] = response
    return responses


class SynthError(Exception):
    pass


def log(message: str) -> None:
    print(f"synth: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Loading what the rest of the project defines


def table_resource() -> dict:
    """The table as the local system creates it (TABLE_DEFINITION), plus what only AWS has."""
    if str(DOMAIN) not in sys.path:
        sys.path.insert(0, str(DOMAIN))
    from hubcycle.repository import table
    properties = copy.deepcopy(table.TABLE_DEFINITION)
    properties["TableName"] = {"Ref": "AWS::StackName"}
    properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    properties["TimeToLiveSpecification"] = {"AttributeName": table.TIME_TO_LIVE_ATTRIBUTE, "Enabled": True}
    # Kept when the stack is deleted, not when its first creation fails: no orphan blocks the retry.
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "RetainExceptOnCreate",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def settings_names(functions: Path) -> set[str]:
    """HUBCYCLE_* names that settings.py or an app.py mentions: all must be set on Lambda."""
    texts = [SETTINGS_MODULE.read_text()] + [(functions / app / "app.py").read_text() for app in APPS]
    return {name for text in texts for name in re.findall(r"[\"'](HUBCYCLE_[A-Z0-9_]+)[\"']", text)}


def load_core() -> dict:
    import yaml  # PyYAML comes with cfn-lint

    return yaml.safe_load(CORE_TEMPLATE.read_text())


def load_policy(functions: Path, app: str) -> dict:
    path = functions / app / ".chalice" / "policy.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SynthError(f"{path}: {error}") from None


# --------------------------------------------------------------------------------------------------
# Chalice


def stage_app(functions: Path, app: str, stage_root: Path) -> Path:
    """A copy of functions/<app> holding only what its Lambda zip should: app.py, requirements.txt,
    .chalice/{config,policy}.json and, in vendor/hubcycle, the modules app.py imports (directly,
    inside functions, or through LazyModule) and theirs, never hubcycle.local or hubcycle.dev.
    Chalice's own cache (.chalice/deployments) is kept between runs, so an unchanged app reuses its zip."""
    project = functions / app
    stage = stage_root / app
    if stage.exists():
        for entry in stage.iterdir():
            if entry.name != ".chalice":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (stage / ".chalice").mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "policy.json"):
        shutil.copy(project / ".chalice" / name, stage / ".chalice" / name)
    for name in ("app.py", "requirements.txt"):
        if (project / name).exists():
            shutil.copy(project / name, stage / name)
    for relative in domain_closure(project / "app.py", DOMAIN):
        target = stage / "vendor" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DOMAIN / relative, target)
    return stage


def domain_closure(entry: Path, domain: Path) -> list[str]:
    """The files of the `hubcycle` package (relative to `domain`) that `entry` needs: every module
    named by an import anywhere in a file, or by a LazyModule("hubcycle....") string, followed
    transitively, with the __init__.py of each package on the way."""
    def files_of(module: str) -> list[str]:
        path = Path(*module.split("."))
        found = [str(p.relative_to(domain)) for p in (domain / path.with_suffix(".py"), domain / path / "__init__.py")
                 if p.is_file()]
        parts = module.split(".")
        for depth in range(1, len(parts)):
            init = domain / Path(*parts[:depth]) / "__init__.py"
            if init.is_file():
                found.append(str(init.relative_to(domain)))
        return found

    def imported(source: Path) -> set[str]:
        tree = ast.parse(source.read_text(), str(source))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
            elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "LazyModule"
                  and node.args and isinstance(node.args[0], ast.Constant)):
                names.add(node.args[0].value)
        return {n for n in names if n == "hubcycle" or n.startswith("hubcycle.")}

    seen: set[str] = set()
    pending = [entry]
    while pending:
        for module in imported(pending.pop()):
            for relative in files_of(module):
                if relative not in seen:
                    seen.add(relative)
                    pending.append(domain / relative)
    local = sorted(r for r in seen if r.startswith(("hubcycle/local/", "hubcycle/dev.py")))
    if local:
        raise SynthError(f"{entry} imports the local system ({', '.join(local)}), which is never deployed")
    return sorted(seen)


def chalice_package(project: Path, app: str, workdir: Path, region: str) -> tuple[dict, Path, float]:
    """Run `chalice package` for one (staged) app; return its template, its zip and the seconds it took."""
    out = workdir / f".chalice-{app}"
    shutil.rmtree(out, ignore_errors=True)
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "HUBCYCLE_STOREFRONT_ORIGIN": STOREFRONT_ORIGIN_SENTINEL,
    }
    command = [
        sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
        "--project-dir", str(project),
        "package", "--pkg-format", "cloudformation", "--stage", CHALICE_STAGE,
        "--template-format", "json", str(out),
    ]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=project)
    if done.returncode != 0:
        raise SynthError(f"chalice package failed for functions/{app}:\n{done.stdout}{done.stderr}")
    template = json.loads((out / "sam.json").read_text())
    return template, out / "deployment.zip", time.monotonic() - started


def prune_chalice_cache(project: Path, keep: int = 3) -> None:
    """Chalice keeps one zip per (requirements, app, vendor) hash forever; keep the newest."""
    cache = project / ".chalice" / "deployments"
    if not cache.is_dir():
        return
    zips = sorted(cache.glob("*.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in zips[keep:]:
        old.unlink(missing_ok=True)


def check_runtime() -> None:
    """The Lambda runtime is set here, once; Chalice takes the synthesizing interpreter's version,
    and the .pyc added to the zips are that interpreter's: both must be the runtime's."""
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if here != LAMBDA_RUNTIME:
        raise SynthError(f"the Lambda runtime is {LAMBDA_RUNTIME} (LAMBDA_RUNTIME in infra/synth.py) but this is "
                         f"{here} ({sys.executable}): synthesize with {LAMBDA_RUNTIME} (make synth does, through "
                         f".venv; `make clean` if .venv was made with another Python)")


# --------------------------------------------------------------------------------------------------
# Template surgery


def kebab(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name)
    return re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-").lower()


_SUB_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+)*)\}")


def rename_references(value, names: dict[str, str], local: frozenset = frozenset()):
    """Rewrite Ref, Fn::GetAtt and Fn::Sub references to logical ids renamed in `names`."""
    if isinstance(value, list):
        return [rename_references(v, names, local) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, inner), = value.items()
        if key == "Ref" and isinstance(inner, str):
            return {"Ref": names.get(inner, inner)}
        if key == "Fn::GetAtt":
            if isinstance(inner, str):
                resource, _, attribute = inner.partition(".")
                return {"Fn::GetAtt": [names.get(resource, resource), attribute]}
            return {"Fn::GetAtt": [names.get(inner[0], inner[0]), *rename_references(inner[1:], names, local)]}
        if key == "Fn::Sub":
            if isinstance(inner, str):
                return {"Fn::Sub": _rename_in_sub(inner, names, local)}
            text, variables = inner
            variables = rename_references(variables, names, local)
            return {"Fn::Sub": [_rename_in_sub(text, names, local | frozenset(variables)), variables]}
    return {k: rename_references(v, names, local) for k, v in value.items()}


def _rename_in_sub(text: str, names: dict[str, str], local: frozenset) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in local or name not in names:
            return match.group(0)
        return "${" + names[name] + match.group(2) + "}"

    return _SUB_VARIABLE.sub(replace, text)


def substitute_string(value, needle: str, replacement: str):
    """Replace `needle` in every string, turning a plain string into an Fn::Sub (escaping any
    literal `${`) and editing the text of an existing Fn::Sub in place."""
    if isinstance(value, str):
        if needle not in value:
            return value
        return {"Fn::Sub": value.replace("${", "${!").replace(needle, replacement)}
    if isinstance(value, list):
        return [substitute_string(v, needle, replacement) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and "Fn::Sub" in value:
            inner = value["Fn::Sub"]
            if isinstance(inner, str):
                return {"Fn::Sub": inner.replace(needle, replacement)}
            return {"Fn::Sub": [inner[0].replace(needle, replacement),
                                substitute_string(inner[1], needle, replacement)]}
        for key in value:
            if needle in key:
                raise SynthError(f"cannot substitute {needle!r} in the key {key!r}")
        return {k: substitute_string(v, needle, replacement) for k, v in value.items()}
    return value


def handler_attribute(function: dict) -> str:
    handler = function["Properties"].get("Handler", "")
    module, _, attribute = handler.partition(".")
    return attribute if module == "app" else handler


def function_name(app: str, lid: str, function: dict) -> str:
    attribute = handler_attribute(function)
    if attribute == "app":  # Chalice's API handler: app.app
        return f"${{AWS::StackName}}-{app}"
    return f"${{AWS::StackName}}-{app}-{kebab(attribute or lid)}"


def adapt_app(functions_dir: Path, app: str, chalice_template: dict, report: dict) -> dict:
    """One Chalice template -> the app's resources in the stack (renamed, wired, with roles)."""
    prefix = APPS[app]
    resources = copy.deepcopy(chalice_template.get("Resources", {}))
    functions = {lid: r for lid, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    if not functions:
        raise SynthError(f"functions/{app}: chalice generated no Lambda function")
    model = copy.deepcopy(next(iter(functions.values())))

    if app == "scheduler":
        # The scheduler is not an API: routes it may declare (e.g. /health for the local system)
        # are not deployed, so the stack has exactly two REST APIs.
        dropped = [lid for lid, r in resources.items()
                   if r["Type"] == "AWS::Serverless::Api"
                   or (lid == "APIHandler") or lid == "APIHandlerInvokePermission"]
        for lid in dropped:
            resources.pop(lid)
            functions.pop(lid, None)
        if dropped:
            report["notes"].append(f"functions/scheduler: routes are not deployed (dropped {', '.join(sorted(dropped))})")

    # Roles: infra owns them (one per app, from policy.json); drop Chalice's.
    for lid in [lid for lid, r in resources.items() if r["Type"] == "AWS::IAM::Role"]:
        resources.pop(lid)
    for lid, function in functions.items():
        role = function["Properties"].get("Role")
        if isinstance(role, str):
            raise SynthError(f"functions/{app}: iam_role_arn is set in .chalice/config.json; the stack owns the roles")

    names = {}
    for lid, resource in resources.items():
        canonical = None
        if app == "scheduler" and resource["Type"] == "AWS::Serverless::Function":
            canonical = SCHEDULER_ENTRY_POINTS.get(handler_attribute(resource))
        names[lid] = canonical or prefix + lid
    renamed = {}
    for lid, resource in resources.items():
        resource = rename_references(resource, names)
        depends = resource.get("DependsOn")
        if isinstance(depends, str):
            resource["DependsOn"] = names.get(depends, depends)
        elif isinstance(depends, list):
            resource["DependsOn"] = [names.get(d, d) for d in depends]
        renamed[names[lid]] = resource
    resources = renamed

    if app == "scheduler":
        present = {handler_attribute(r) for r in resources.values() if r["Type"] == "AWS::Serverless::Function"}
        for attribute, lid in SCHEDULER_ENTRY_POINTS.items():
            if attribute in present:
                report["entry_points"][lid] = "chalice"
                continue
            report["entry_points"][lid] = "infra"
            report["missing"].append(
                f"functions/scheduler/app.py defines no `{attribute}` (expected "
                f"@app.lambda_function(name=\"{attribute}\") def {attribute}(event, context)); "
                f"{lid} (handler app.{attribute}) was generated so the stack stays complete")
            stub = copy.deepcopy(model)
            stub["Properties"] = {k: v for k, v in stub["Properties"].items() if k != "Events"}
            stub["Properties"]["Handler"] = f"app.{attribute}"
            resources[lid] = stub

    role_id = f"{prefix}Role"
    for lid, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        name = function_name(app, lid, resource)
        if app == "scheduler" and lid in SCHEDULER_ENTRY_POINTS.values():
            name = f"${{AWS::StackName}}-scheduler-{kebab(handler_attribute(resource))}"
            if properties.pop("Events", None):
                report["notes"].append(
                    f"functions/scheduler: {lid} is triggered by the stack (infra/core.yaml); "
                    f"the triggers its decorator declared were removed")
        properties["FunctionName"] = {"Fn::Sub": name}
        properties["Role"] = {"Fn::GetAtt": [role_id, "Arn"]}
        properties["CodeUri"] = f"{app}/deployment.zip"  # replaced by Code (S3) in lambda_function()
        variables = properties.setdefault("Environment", {}).setdefault("Variables", {})
        variables.update(copy.deepcopy(ENVIRONMENT))
        log_group = f"{lid}LogGroup"
        depends = resource.get("DependsOn", [])
        resource["DependsOn"] = sorted({*([depends] if isinstance(depends, str) else depends), log_group})
        report["functions"][lid] = {"app": app, "handler": properties["Handler"], "function_name": name}

    # The log groups and the role are added after the loop (the dict is being iterated above).
    for lid in [lid for lid, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]:
        resources[f"{lid}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": "/aws/lambda/" + report["functions"][lid]["function_name"]},
                "RetentionInDays": {"Ref": "LogRetentionDays"},
            },
        }
    resources[role_id] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": f"hubcycle {app} function(s): functions/{app}/.chalice/policy.json",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }],
            },
            "Policies": [{"PolicyName": f"hubcycle-{app}", "PolicyDocument": load_policy(functions_dir, app)}],
        },
    }

    for lid, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Api":
            wire_api(app, lid, resource, report)

    resources = substitute_string(resources, STOREFRONT_ORIGIN_SENTINEL, STOREFRONT_ORIGIN)
    return to_cloudformation(app, resources)


# --------------------------------------------------------------------------------------------------
# SAM -> CloudFormation: what the SAM transform would do for the two resource types Chalice emits
# here, done offline so that cfn-lint validates exactly what CloudFormation receives (and no
# transform runs at deploy time).

FUNCTION_PROPERTIES = {"Runtime", "Handler", "Timeout", "MemorySize", "Environment", "Role", "Architectures",
                       "FunctionName", "Tags", "Tracing", "CodeUri", "Layers", "ReservedConcurrentExecutions",
                       "VpcConfig", "EphemeralStorage"}
API_PROPERTIES = {"DefinitionBody", "StageName", "EndpointConfiguration", "MethodSettings", "MinimumCompressionSize"}
PASSED_THROUGH = {"AWS::Lambda::Permission", "AWS::Logs::LogGroup", "AWS::IAM::Role"}


def to_cloudformation(app: str, resources: dict) -> dict:
    converted = {}
    for lid, resource in resources.items():
        kind = resource["Type"]
        if kind == "AWS::Serverless::Function":
            converted[lid] = lambda_function(app, lid, resource)
        elif kind == "AWS::Serverless::Api":
            converted.update(rest_api(app, lid, resource))
        elif kind in PASSED_THROUGH:
            converted[lid] = resource
        else:
            raise SynthError(f"functions/{app}: Chalice generated {lid} ({kind}), which infra/synth.py does not "
                             "know how to deploy yet")
    return converted


def lambda_function(app: str, lid: str, resource: dict) -> dict:
    properties = dict(resource["Properties"])
    events = properties.pop("Events", None)
    if events:
        raise SynthError(f"functions/{app}: {lid} declares event sources ({', '.join(events)}): triggers are "
                         "defined in infra/core.yaml, not by decorators (only the scheduler's entry points are "
                         "mapped to the stack's triggers)")
    unknown = set(properties) - FUNCTION_PROPERTIES
    if unknown:
        raise SynthError(f"functions/{app}: {lid} has properties infra/synth.py does not map: {sorted(unknown)}")
    properties.pop("CodeUri")
    tags = properties.pop("Tags", {})
    tracing = properties.pop("Tracing", None)
    properties["Code"] = {"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": {"Ref": f"{APPS[app]}CodeKey"}}
    properties["Runtime"] = LAMBDA_RUNTIME
    tags = {**tags, "hubcycle:function": app}
    properties["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
    if tracing:
        properties["TracingConfig"] = {"Mode": tracing}
    converted = {"Type": "AWS::Lambda::Function", "Properties": properties}
    if "DependsOn" in resource:
        converted["DependsOn"] = resource["DependsOn"]
    return converted


def rest_api(app: str, lid: str, resource: dict) -> dict:
    properties = resource["Properties"]
    unknown = set(properties) - API_PROPERTIES
    if unknown:
        raise SynthError(f"functions/{app}: {lid} has properties infra/synth.py does not map: {sorted(unknown)}")
    body = properties["DefinitionBody"]
    endpoint = properties.get("EndpointConfiguration", "EDGE")
    endpoint_type = endpoint if isinstance(endpoint, str) else endpoint["Type"]
    api = {
        "Name": {"Fn::Sub": f"${{AWS::StackName}}-{app}"},
        "Body": body,
        "EndpointConfiguration": {"Types": [endpoint_type]},
        "Parameters": {"endpointConfigurationTypes": endpoint_type},
    }
    if "MinimumCompressionSize" in properties:
        api["MinimumCompressionSize"] = properties["MinimumCompressionSize"]
    # A deployment is a snapshot: a new logical id whenever the API changes makes CloudFormation
    # deploy the new definition (as the SAM transform does).
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:10]
    deployment = f"{lid}Deployment{digest}"
    stage = {
        "RestApiId": {"Ref": lid},
        "DeploymentId": {"Ref": deployment},
        "StageName": properties.get("StageName", "api"),
    }
    if "MethodSettings" in properties:
        stage["MethodSettings"] = properties["MethodSettings"]
    return {
        lid: {"Type": "AWS::ApiGateway::RestApi", "Properties": api},
        deployment: {"Type": "AWS::ApiGateway::Deployment",
                     "Properties": {"RestApiId": {"Ref": lid}, "Description": f"{app} API, definition {digest}"}},
        f"{lid}Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": stage},
    }


def wire_api(app: str, lid: str, api: dict, report: dict) -> None:
    properties = api["Properties"]
    body = properties["DefinitionBody"]
    properties["MethodSettings"] = [{
        "ResourcePath": "/*",
        "HttpMethod": "*",
        "ThrottlingRateLimit": {"Ref": "ApiThrottleRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiThrottleBurstLimit"},
    }]
    report["apis"][lid] = {"app": app, "stage": properties.get("StageName", "api")}

    cognito = {name: d for name, d in body.get("securityDefinitions", {}).items()
               if d.get("x-amazon-apigateway-authtype") == "cognito_user_pools"}
    for definition in cognito.values():
        definition["x-amazon-apigateway-authorizer"]["providerARNs"] = [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    report["apis"][lid]["cognito_authorizers"] = sorted(cognito)

    if app == "admin":
        if not cognito:
            report["missing"].append(
                "functions/admin/app.py declares no chalice.CognitoUserPoolAuthorizer: the admin API would be public")
        unprotected = [f"{method.upper()} {path}" for path, methods in body.get("paths", {}).items()
                       for method, operation in methods.items()
                       if method != "options" and not path.endswith("/health")
                       and not any(set(s) & set(cognito) for s in operation.get("security", []))]
        if unprotected:
            report["missing"].append(
                "functions/admin/app.py: routes without the Cognito authorizer: " + ", ".join(sorted(unprotected)))
    cors = {}
    if app == "shop":
        cors = {"gatewayresponse.header.Access-Control-Allow-Origin": {"Fn::Sub": f"'{STOREFRONT_ORIGIN}'"},
                "gatewayresponse.header.Access-Control-Allow-Headers": SHOP_CORS_HEADERS,
                "gatewayresponse.header.Access-Control-Expose-Headers": "'Retry-After'"}
    if app == "admin":  # the console calls it from the storefront's origin: its refusals must be readable
        cors = {"gatewayresponse.header.Access-Control-Allow-Origin": {"Fn::Sub": f"'{STOREFRONT_ORIGIN}'"},
                "gatewayresponse.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'"}
    body["x-amazon-apigateway-gateway-responses"] = gateway_responses(cors)
    if app == "shop":
        origins = [integration_response.get("responseParameters", {}).get(
                       "method.response.header.Access-Control-Allow-Origin")
                   for methods in body.get("paths", {}).values()
                   for method, operation in methods.items() if method == "options"
                   for integration_response in operation.get("x-amazon-apigateway-integration", {})
                   .get("responses", {}).values()]
        if not origins:
            report["missing"].append(
                "functions/shop/app.py declares no CORS: use CORSConfig(allow_origin="
                "os.environ['HUBCYCLE_STOREFRONT_ORIGIN'], allow_headers=['Idempotency-Key'])")
        elif any(o != f"'{STOREFRONT_ORIGIN_SENTINEL}'" for o in origins):
            report["missing"].append(
                "functions/shop/app.py: CORS allow_origin must be os.environ['HUBCYCLE_STOREFRONT_ORIGIN'] "
                f"(found {sorted(set(map(str, origins)))})")


# --------------------------------------------------------------------------------------------------
# Assembly


def invoke_configs() -> dict:
    """The scheduler entry points' asynchronous invocations retry as the schedules do, then go to
    the dead-letter queue (Lambda's on-failure destination)."""
    from hubcycle.adapters.schedules import RETRY_POLICY

    return {f"{lid}InvokeConfig": {
        "Type": "AWS::Lambda::EventInvokeConfig",
        "Properties": {
            "FunctionName": {"Ref": lid},
            "Qualifier": "$LATEST",
            **RETRY_POLICY,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}},
        },
    } for lid in SCHEDULER_ENTRY_POINTS.values()}


def assemble(functions: Path, app_resources: dict[str, dict], report: dict) -> dict:
    template = load_core()
    resources = template["Resources"]
    resources["Table"] = table_resource()
    for app, own in app_resources.items():
        clash = set(own) & set(resources)
        if clash:
            raise SynthError(f"functions/{app}: logical ids already used in the stack: {sorted(clash)}")
        resources.update(own)
    outputs = template.setdefault("Outputs", {})
    for lid, api in report["apis"].items():
        app = api["app"]
        outputs[f"{APPS[app]}ApiUrl"] = {
            "Description": f"The {app} REST API (no trailing slash)",
            "Value": {"Fn::Sub": f"https://${{{lid}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{api['stage']}"},
        }
    outputs["SchedulerTargetArn"] = {"Value": copy.deepcopy(ENVIRONMENT["HUBCYCLE_SCHEDULER_TARGET_ARN"])}
    resources.update(invoke_configs())

    missing_settings = settings_names(functions) - set(ENVIRONMENT)
    if missing_settings:
        raise SynthError(f"settings.py or an app.py reads {sorted(missing_settings)}, which infra/synth.py does not set")
    if STOREFRONT_ORIGIN_SENTINEL in json.dumps(template):
        raise SynthError("the storefront origin placeholder is still in the template")
    return template


# --------------------------------------------------------------------------------------------------
# Bytecode


def _pyc(name: str, source: bytes, cache: Path) -> bytes | None:
    """The unchecked-hash .pyc (PEP 552) of one module of the zip, compiled once per content."""
    key = hashlib.sha256(name.encode() + b"\0" + source).hexdigest()
    cached = cache / key[:2] / f"{key}.{sys.implementation.cache_tag}.pyc"
    if cached.exists():
        return cached.read_bytes()
    try:
        code = compile(source, f"/var/task/{name}", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    flags = (0b01).to_bytes(4, "little")  # hash-based, not checked against the source
    pyc = importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source) + marshal.dumps(code)
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pyc)
    temporary.replace(cached)
    return pyc


def add_bytecode(zip_path: str, cache_dir: str) -> str:
    """Add an unchecked-hash .pyc next to every module of a Lambda zip, so that cold starts do not
    compile (Lambda's /var/task is read-only: Python cannot cache what it compiles there). The
    runtime must be this interpreter's version: synth() checks it. Stale timestamp-based .pyc files
    copied from a developer's tree are dropped. Compiled files are cached per content in cache_dir,
    so the three zips (mostly the same dependencies) and later runs compile only what changed."""
    source = Path(zip_path)
    cache = Path(cache_dir)
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(source) as original:
        names = original.namelist()
        stale = any("__pycache__/" in name for name in names)
        modules = [(name, original.read(name)) for name in names if name.endswith(".py")]
        kept = None
        if stale:
            kept = [(info, original.read(info)) for info in original.infolist() if "__pycache__/" not in info.filename]
    if stale:
        temporary = source.with_suffix(".tmp")
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
            for info, data in kept:
                target.writestr(info, data)
        temporary.replace(source)
    compiled = 0
    with zipfile.ZipFile(source, "a", zipfile.ZIP_DEFLATED) as target:
        for name, data in modules:
            pyc = _pyc(name, data, cache)
            if pyc is None:
                continue
            directory, _, filename = name.rpartition("/")
            entry = zipfile.ZipInfo(f"{directory + '/' if directory else ''}__pycache__/{filename[:-3]}.{tag}.pyc",
                                    date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, pyc)
            compiled += 1
    return f"{compiled} modules" + (" (stale .pyc dropped)" if stale else "")


# --------------------------------------------------------------------------------------------------
# Lint

CHECKOV_CONFIG = INFRA / "checkov.yaml"


def checkov(template: Path, executable: str) -> dict:
    """checkov's summary and its failed checks on the template, with the accepted findings of
    infra/checkov.yaml skipped (each one explained in docs/deploy.md)."""
    done = subprocess.run([executable, "-f", str(template), "--config-file", str(CHECKOV_CONFIG), "--quiet",
                           "--compact", "-o", "json"], capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise SynthError(f"checkov did not run ({executable}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}") from None
    if isinstance(report, list):  # one report per framework
        (report,) = report
    failed = [{"check": c["check_id"], "name": c["check_name"], "resource": c["resource"]}
              for c in report.get("results", {}).get("failed_checks", [])]
    return {"summary": report.get("summary", {}), "failed": failed}



def lint(template: Path, region: str) -> list[dict]:
    from cfnlint.api import ManualArgs, lint_file

    findings = []
    for match in lint_file(template, ManualArgs(regions=[region])):
        findings.append({
            "rule": match.rule.id,
            "level": {"E": "error", "W": "warning", "I": "info"}.get(match.rule.id[0], "error"),
            "message": match.message,
            "line": match.linenumber,
            "path": "/".join(str(p) for p in getattr(match, "path", []) or []),
        })
    return findings


# --------------------------------------------------------------------------------------------------


def synth(out: Path, region: str, strict: bool, run_lint: bool, bytecode: bool,
          functions: Path = FUNCTIONS, checkov_path: str | None = None) -> int:
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    for entry in out.iterdir():
        if entry.name != ".cache":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    report: dict = {"region": region, "functions": {}, "apis": {}, "entry_points": {},
                    "missing": [], "notes": [], "timings": {}}

    check_runtime()
    stage_root = out / ".cache" / "stage"
    projects = {app: stage_app(functions, app, stage_root) for app in APPS}
    with ThreadPoolExecutor(max_workers=len(APPS)) as pool:
        packaged = dict(zip(APPS, pool.map(lambda app: chalice_package(projects[app], app, out, region), APPS)))
    report["timings"]["chalice_package"] = round(time.monotonic() - started, 1)
    runtimes = set()
    app_resources = {}
    for app, (chalice_template, zip_path, seconds) in packaged.items():
        report["timings"][f"chalice_{app}"] = round(seconds, 1)
        (out / app).mkdir()
        shutil.move(str(zip_path), out / app / "deployment.zip")
        (out / app / "chalice-sam.json").write_text(json.dumps(chalice_template, indent=2))
        shutil.rmtree(zip_path.parent)
        prune_chalice_cache(projects[app])
        app_resources[app] = adapt_app(functions, app, chalice_template, report)
        runtimes |= {r["Properties"]["Runtime"] for r in chalice_template.get("Resources", {}).values()
                     if r["Type"] == "AWS::Serverless::Function"}
    if runtimes != {LAMBDA_RUNTIME}:
        raise SynthError(f"chalice packaged for {sorted(runtimes)}, not {LAMBDA_RUNTIME}")
    report["runtime"] = LAMBDA_RUNTIME

    template = assemble(functions, app_resources, report)
    template_path = out / "template.json"
    template_path.write_text(json.dumps(template, indent=2) + "\n")

    if bytecode:
        mark = time.monotonic()
        pyc_cache = out / ".cache" / "pyc"
        if pyc_cache.is_dir() and sum(1 for _ in pyc_cache.rglob("*.pyc")) > 20000:
            shutil.rmtree(pyc_cache)  # only ever grows with edits: start again when large
        with ProcessPoolExecutor(max_workers=min(len(APPS), os.cpu_count() or 1)) as pool:
            results = list(pool.map(add_bytecode, [str(out / app / "deployment.zip") for app in APPS],
                                    [str(pyc_cache)] * len(APPS)))
        report["bytecode"] = dict(zip(APPS, results))
        report["timings"]["bytecode"] = round(time.monotonic() - mark, 1)

    exit_code = 0
    report["zip_bytes"] = {app: (out / app / "deployment.zip").stat().st_size for app in APPS}
    for app, size in report["zip_bytes"].items():
        log(f"{app}/deployment.zip: {size / 1e6:.1f} MB")
    if report["zip_bytes"]["shop"] > SHOP_ZIP_LIMIT_MB * 1e6:
        log(f"ERROR the shop's zip is over {SHOP_ZIP_LIMIT_MB} MB: what does it ship that it does not import?")
        exit_code = 1
    if run_lint:
        mark = time.monotonic()
        findings = lint(template_path, region)
        report["timings"]["cfn_lint"] = round(time.monotonic() - mark, 1)
        report["lint"] = findings
        for finding in findings:
            log(f"cfn-lint {finding['rule']} ({finding['level']}) line {finding['line']}: {finding['message']}")
        if any(f["level"] in ("error", "warning") for f in findings):
            exit_code = 1
        else:
            log(f"cfn-lint: {template_path.relative_to(ROOT) if template_path.is_relative_to(ROOT) else template_path} is clean")

    if checkov_path:
        mark = time.monotonic()
        report["checkov"] = checkov(template_path, checkov_path)
        report["timings"]["checkov"] = round(time.monotonic() - mark, 1)
        for finding in report["checkov"]["failed"]:
            log(f"checkov {finding['check']} {finding['resource']}: {finding['name']}")
        if report["checkov"]["failed"] or report["checkov"]["summary"].get("parsing_errors"):
            log("ERROR checkov: fix the template, or skip the check in infra/checkov.yaml and say why in docs/deploy.md")
            exit_code = 1
        else:
            log(f"checkov: {report['checkov']['summary'].get('passed')} checks passed, none failed "
                f"({CHECKOV_CONFIG.relative_to(ROOT)} skips those docs/deploy.md explains)")

    for note in report["notes"]:
        log(f"note: {note}")
    for item in report["missing"]:
        log(f"{'ERROR' if strict else 'WARNING'} contract: {item}")
    if strict and report["missing"]:
        exit_code = 1
    report["timings"]["total"] = round(time.monotonic() - started, 1)
    (out / "manifest.json").write_text(json.dumps(report, indent=2) + "\n")
    log(f"wrote {out}/template.json and {', '.join(f'{a}/deployment.zip' for a in APPS)} "
        f"in {report['timings']['total']} s")
    return exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default infra/out)")
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION,
                        help="region chalice packages for and cfn-lint checks against (the template itself is region-neutral)")
    parser.add_argument("--strict", action="store_true",
                        help="fail when the apps do not provide what the stack expects (used by infra/deploy.sh)")
    parser.add_argument("--no-lint", action="store_true", help="skip cfn-lint")
    parser.add_argument("--no-bytecode", action="store_true", help="do not add .pyc files to the zips")
    parser.add_argument("--checkov", metavar="PATH",
                        help="run this checkov on the template (make synth: .venv-checkov/bin/checkov) and fail on "
                             "any finding infra/checkov.yaml does not skip")
    parser.add_argument("--functions-dir", type=Path, default=FUNCTIONS,
                        help="where the shop, admin and scheduler Chalice projects are (default functions/; tests use copies)")
    args = parser.parse_args(argv)
    try:
        return synth(args.out.resolve(), args.region, args.strict, not args.no_lint, not args.no_bytecode,
                     args.functions_dir.resolve(), args.checkov)
    except SynthError as error:
        log(f"ERROR {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
