"""`python -m mtt_simulator`: serve the simulator, or drive a running one.

python -m mtt_simulator [serve] [--host 127.0.0.1] [--port 8124] [--scenario FILE]
        [--redirect-uri URI]   (registers the scenario's demo integration with it)
        [--variant NAME ...]   (an undocumented behaviour, repeatable: parking_hiding,
        ring_group_hiding, hiding_before_finished, no_parking_leg)
python -m mtt_simulator call incoming --from 79161234567 --to 74996497803 \
        [--workplace SIP ...] [--answer-after S] [--hangup-after S] [--url URL]
        (--workplace twice or more: a ring group)
python -m mtt_simulator call answer CALL_ID [--workplace SIP]
python -m mtt_simulator call hangup CALL_ID [--side caller|workplace]
python -m mtt_simulator faults [--status N] [--html] [--timeout S] [--methods M ...]
[--push-delay S] [--duplicate] [--reorder] [--drop] [--record-status N]
[--record-size BYTES] [--record-delay S] [--record-chunked] [--record-count N]
| faults --clear
python -m mtt_simulator variants [NAME ...]   (sets them; none: all off)
python -m mtt_simulator state
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
from typing import Any
import urllib.error
import urllib.request

from .oauth import OAuthServer
from .scenario import Scenario, ScenarioError
from .variants import VARIANTS, Variant

DEFAULT_URL = "http://127.0.0.1:8124"


def _control(
    url: str, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    request = urllib.request.Request(  # noqa: S310  (the simulator's own address)
        f"{url.rstrip('/')}/control/{path}",
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        sys.exit(f"simulator: {err.code} {err.read().decode(errors='replace')}")
    except (urllib.error.URLError, OSError) as err:
        sys.exit(f"simulator: cannot reach {url}: {err}")


def _keep_tokens(oauth: OAuthServer, path: Path) -> None:
    """Load the tokens saved in `path`; save them there whenever they change."""
    if path.exists():
        try:
            oauth.restore_tokens(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError) as err:
            print(f"simulator: ignoring {path}: {err}", file=sys.stderr)

    def save() -> None:
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(oauth.tokens_state()))
        partial.replace(path)

    oauth.on_tokens_changed = save


def _serve(args: argparse.Namespace) -> None:
    # aiohttp's server is imported here only: the control commands start faster
    from aiohttp import web  # noqa: PLC0415

    from .app import SIMULATOR_KEY, create_app  # noqa: PLC0415

    try:
        scenario = Scenario.load(args.scenario) if args.scenario else Scenario.demo()
    except (OSError, ScenarioError) as err:
        sys.exit(f"simulator: {err}")
    if args.variant:
        scenario.variants = frozenset(args.variant)
    base_url = f"http://{args.host}:{args.port}"
    app = create_app(scenario, base_url=base_url)
    if args.redirect_uri:
        app[SIMULATOR_KEY].register_scenario_clients(args.redirect_uri)
    if args.state_file:
        _keep_tokens(app[SIMULATOR_KEY].oauth, args.state_file)
    print(
        f"MTT simulator on {base_url} "
        f"(portal login {scenario.login} / {scenario.password}; "
        f"variants: {', '.join(sorted(scenario.variants)) or 'none'})",
        flush=True,
    )
    for client in app[SIMULATOR_KEY].oauth.clients.values():
        print(
            f"  integration {client.name!r}: client_id {client.client_id} "
            f"client_secret {client.client_secret} "
            f"redirect_uri {client.redirect_uri}",
            flush=True,
        )
    web.run_app(app, host=args.host, port=args.port, print=None)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and act."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-"):
        argv.insert(0, "serve")
    parser = argparse.ArgumentParser(
        prog="python -m mtt_simulator", description=__doc__
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the simulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8124)
    serve.add_argument("--scenario", type=Path)
    serve.add_argument(
        "--redirect-uri",
        help="register the scenario's pre-made integration with this Redirect URI",
    )
    serve.add_argument(
        "--variant",
        action="append",
        type=Variant,
        choices=VARIANTS,
        metavar="NAME",
        help="switch on an undocumented behaviour (repeatable): " + ", ".join(VARIANTS),
    )
    serve.add_argument(
        "--state-file",
        type=Path,
        help="keep the OAuth tokens in this file, so that a signed-in Home Assistant "
        "stays signed in when the simulator restarts",
    )
    call = sub.add_parser("call", help="start, answer or end a call")
    call_sub = call.add_subparsers(dest="action", required=True)
    incoming = call_sub.add_parser("incoming")
    incoming.add_argument("--from", dest="caller", required=True)
    incoming.add_argument("--to", dest="external", required=True)
    incoming.add_argument("--workplace", action="append")
    incoming.add_argument("--answer-after", type=float)
    incoming.add_argument("--hangup-after", type=float)
    answer = call_sub.add_parser("answer")
    answer.add_argument("call_id")
    answer.add_argument("--workplace")
    hangup = call_sub.add_parser("hangup")
    hangup.add_argument("call_id")
    hangup.add_argument("--side", default="caller")
    faults = sub.add_parser("faults", help="inject faults")
    faults.add_argument("--clear", action="store_true")
    faults.add_argument("--status", type=int)
    faults.add_argument("--html", action="store_true")
    faults.add_argument("--timeout", type=float)
    faults.add_argument("--count", type=int)
    faults.add_argument("--methods", nargs="*")
    faults.add_argument("--push-delay", type=float, default=0.0)
    faults.add_argument("--duplicate", action="store_true")
    faults.add_argument("--reorder", action="store_true")
    faults.add_argument("--drop", action="store_true")
    faults.add_argument("--record-status", type=int)
    faults.add_argument("--record-size", type=int)
    faults.add_argument("--record-delay", type=float)
    faults.add_argument("--record-chunked", action="store_true", default=None)
    faults.add_argument("--record-count", type=int)
    variants = sub.add_parser(
        "variants", help="set the undocumented behaviours of a running simulator"
    )
    variants.add_argument("names", nargs="*", metavar="NAME", type=Variant)
    sub.add_parser("state", help="print the simulator's state")
    for command in (incoming, answer, hangup, faults, variants, sub.choices["state"]):
        command.add_argument(
            "--url", default=DEFAULT_URL, help="the running simulator's address"
        )
    args = parser.parse_args(argv)

    if args.command == "serve":
        _serve(args)
    elif args.command == "call":
        if args.action == "incoming":
            body: dict[str, Any] = {"from": args.caller, "to": args.external}
            if args.workplace:
                workplaces = list(args.workplace)
                body["workplace"] = (
                    workplaces[0] if len(workplaces) == 1 else workplaces
                )
            for key in ("answer_after", "hangup_after"):
                if getattr(args, key) is not None:
                    body[key] = getattr(args, key)
            print(json.dumps(_control(args.url, "POST", "calls/incoming", body)))
        elif args.action == "answer":
            _control(
                args.url,
                "POST",
                f"calls/{args.call_id}/answer",
                {"workplace": args.workplace},
            )
        else:
            _control(
                args.url, "POST", f"calls/{args.call_id}/hangup", {"side": args.side}
            )
    elif args.command == "faults":
        if args.clear:
            _control(args.url, "DELETE", "faults")
        else:
            api = {
                k: getattr(args, k)
                for k in ("status", "timeout", "count", "methods")
                if getattr(args, k)
            }
            if args.html:
                api["html"] = True
            push = {
                "delay": args.push_delay,
                "duplicate": args.duplicate,
                "reorder": args.reorder,
                "drop": args.drop,
            }
            body = {"api": api or None, "push": push}
            record = {
                key: getattr(args, f"record_{key}")
                for key in ("status", "size", "delay", "chunked", "count")
                if getattr(args, f"record_{key}") is not None
            }
            if record:
                body["records"] = record
            _control(args.url, "POST", "faults", body)
    elif args.command == "variants":
        print(
            json.dumps(
                _control(args.url, "PUT", "variants", {"variants": list(args.names)})
            )
        )
    else:
        print(
            json.dumps(_control(args.url, "GET", "state"), ensure_ascii=False, indent=2)
        )


if __name__ == "__main__":
    main()
