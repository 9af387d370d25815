"""``jili catalog``: build the campaign catalog from a notice, regenerate the user dictionary, show it.

A thin skin over `classify.catalog` and `classify.lexicon`; typed errors become CLI messages here.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from classify.catalog import Campaign, build_catalog, load_campaign, packaged_campaign_paths
from classify.lexicon import USER_DICT_PATH, domain_words, write_user_dict
from ingest.errors import JiliError


@click.group("catalog")
def catalog_group() -> None:
    """The 督查激励 campaign catalog: measures, lead units, eligible applicants, deadlines."""


@catalog_group.command("build")
@click.argument("notice", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Campaign file to write [default: corpora/campaigns/<year>.yaml].",
)
@click.option(
    "--dict-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=USER_DICT_PATH,
    show_default=True,
    help="User dictionary for the tokenizer, regenerated from the catalog, gazetteer and word lists.",
)
def build(notice: Path, out: Path | None, dict_out: Path) -> None:
    """Parse NOTICE (the notice text as published), validate it and write the campaign file."""
    try:
        campaign, written = build_catalog(notice, out)
        entries = domain_words(_with_packaged(campaign, written))
        write_user_dict(entries, dict_out)
    except JiliError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{campaign.title}（{campaign.doc_number}，{campaign.issued.isoformat()}）")
    click.echo(
        f"  {len(campaign.measures)} measures, {len(campaign.steps)} steps, {len(campaign.deadlines)} deadlines"
    )
    for deadline in campaign.deadlines:
        click.echo(f"  {deadline.date.isoformat()}  {deadline.name}")
    click.echo(f"  wrote {written}")
    click.echo(f"  wrote {dict_out} ({len(entries)} words)")


def _with_packaged(campaign: Campaign, written: Path) -> list[Campaign]:
    """The new campaign plus the packaged ones it does not replace: the dictionary covers every year."""
    others = [load_campaign(p) for p in packaged_campaign_paths() if p.resolve() != written.resolve()]
    return [c for c in others if c.year != campaign.year] + [campaign]


@catalog_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the whole campaign as JSON.")
@click.option(
    "--path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Campaign file [default: the packaged 2022 campaign].",
)
def show(as_json: bool, path: Path | None) -> None:
    """Print the campaign: deadlines, steps and each measure's lead units and applicant types."""
    try:
        campaign = load_campaign(path)
    except JiliError as exc:
        raise click.ClickException(exc.message) from exc
    if as_json:
        click.echo(json.dumps(campaign.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    click.echo(f"{campaign.title}（{campaign.doc_number}，{campaign.issued.isoformat()}）")
    for deadline in campaign.deadlines:
        click.echo(f"  截止 {deadline.date.isoformat()}  {deadline.name}")
    click.echo("  步骤 " + " → ".join(step.name for step in campaign.steps))
    for m in campaign.measures:
        applicants = "、".join(t.value for t in m.applicant_types)
        units = "、".join(m.lead_units) + (f"；配合：{'、'.join(m.co_units)}" if m.co_units else "")
        click.echo(f"  {m.id:>2}. {m.title}  [{applicants}]  {'、'.join(m.incentives)}  牵头：{units}")
