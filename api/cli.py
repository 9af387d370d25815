"""The `jili` command: a thin skin over the library functions of each stage.

Typed errors from the stages are turned into one-line messages here and nowhere else.
"""

from __future__ import annotations

import click

from api.commands.demo import demo_cmd
from api.commands.parse import parse_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jili")
def main() -> None:
    """jili (激励): turn 督查激励 declaration files into cited evidence."""


@main.group(name="eval")
def eval_group() -> None:
    """Score a stage against a labelled set."""


main.add_command(parse_cmd)
main.add_command(demo_cmd)


def _register_optional() -> None:
    """Commands of stages that are present in this build."""
    import importlib

    for module, attr, group in (
        ("api.commands.extract", "extract_cmd", main),
        ("api.commands.extract", "eval_extract_cmd", eval_group),
        ("api.commands.catalog", "catalog_group", main),
        ("api.commands.classify", "classify_cmd", main),
        ("api.commands.classify", "eval_classify_cmd", eval_group),
        ("api.commands.classify", "train_cmd", main),
        ("api.commands.classify", "train_aggregation_cmd", main),
        ("api.commands.classify", "train_practice_cmd", main),
        ("api.commands.index_cmds", "ingest_cmd", main),
        ("api.commands.index_cmds", "search_cmd", main),
        ("api.commands.index_cmds", "evidence_cmd", main),
        ("api.commands.index_cmds", "experiences_cmd", main),
        ("api.commands.index_cmds", "export_reviews_cmd", main),
        ("api.commands.index_cmds", "checks_cmd", main),
        ("api.commands.serve", "serve_cmd", main),
        ("api.commands.serve", "worker_cmd", main),
        ("api.commands.serve", "token_group", main),
        ("api.commands.db", "db_group", main),
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        group.add_command(getattr(mod, attr))


_register_optional()
