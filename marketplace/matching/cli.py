"""Console commands of the matcher: `marketplace rank-file` and `marketplace matcher train`."""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["matcher_group", "rank_file_command"]

_DEV_SET = Path("shared") / "eval" / "matching-dev"


@click.command("rank-file")
@click.argument("input_path", metavar="INPUT.json", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--top", "top", default=20, show_default=True, type=click.IntRange(min=0), help="Freelancers per mission."
)
def rank_file_command(input_path: str, top: int) -> None:
    """Rank the freelancers of an exchange file for each of its missions (JSON on stdout)."""
    from marketplace.matching.ranking import rank_file

    click.echo(json.dumps(rank_file(input_path, top), ensure_ascii=False))


def _default_dev_file(name: str) -> str | None:
    """The development set next to the project (cwd or a parent), if any."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / _DEV_SET / name
        if candidate.exists():
            return str(candidate)
    return None


@click.group("matcher")
def matcher_group() -> None:
    """Matcher model: training and inspection."""


@matcher_group.command("train")
@click.option(
    "--data",
    "data_path",
    type=click.Path(exists=True, dir_okay=False),
    envvar="MARKETPLACE_MATCH_DATA",
    help="Exchange file with freelancers and missions (default: shared/eval/matching-dev/input.json).",
)
@click.option(
    "--qrels",
    "qrels_path",
    type=click.Path(exists=True, dir_okay=False),
    envvar="MARKETPLACE_MATCH_QRELS",
    help="Relevance judgements (default: shared/eval/matching-dev/qrels.json).",
)
@click.option(
    "--output",
    "output",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of model versions (default: the artifacts shipped in the package).",
)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    help="Cross-validation folds (0: none).",
)
def train_command(data_path: str | None, qrels_path: str | None, output: str | None, folds: int) -> None:
    """Fit the scoring model on labelled data and install it as the next version."""
    from marketplace.matching.model import ARTIFACT_DIR
    from marketplace.matching.store import ModelStore
    from marketplace.matching.training import train_from_files

    data_path = data_path or _default_dev_file("input.json")
    qrels_path = qrels_path or _default_dev_file("qrels.json")
    if not data_path or not qrels_path:
        raise click.UsageError("no training data found: pass --data INPUT.json --qrels QRELS.json")
    directory = Path(output or ARTIFACT_DIR)
    click.echo(f"Training on {data_path} ({folds}-fold cross-validation by mission)…", err=True)
    model = train_from_files(data_path, qrels_path, folds=folds)
    version = ModelStore(directory, after_packaged=False).swap(model)
    cv = model.meta.get("cv") or {}
    click.echo(
        f"model v{version} written to {directory}: {model.meta['n_pairs']} pairs, "
        f"CV NDCG@10 {cv.get('ndcg@10', float('nan'))}, recall@20 {cv.get('recall@20', float('nan'))}; "
        f"in-sample NDCG@10 {model.meta['in_sample']['ndcg@10']}"
    )
