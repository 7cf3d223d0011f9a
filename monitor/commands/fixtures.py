"""fixtures: seeded scenario directories (raw exports plus ground truth)."""

from __future__ import annotations

import click

from monitor.commands import DAY


@click.group()
def fixtures() -> None:
    """Synthetic test data: scenarios with raw exports and ground truth."""


@fixtures.command("generate")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--institutions", type=click.IntRange(min=1), default=300, show_default=True,
              help="Number of institutions in the directory.")
@click.option("--from", "start", type=DAY, required=True,
              help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=DAY, required=True,
              help="Last day, inclusive (YYYY-MM-DD).")
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Directory to write (created; existing files are overwritten).")
@click.option("--variant", type=click.Choice(["standard", "harsh-winter", "quiet"]),
              default="standard", show_default=True, help="Scenario variant.")
@click.option("--no-events", is_flag=True, help="Clean activity: no events, no missing days.")
def generate(seed: int, institutions: int, start, end, out: str, variant: str,
             no_events: bool) -> None:
    """Write institutions.csv, exports/, truth_daily.csv, events.csv and scenario.json."""
    from monitor.scenario.generate import generate_scenario

    summary = generate_scenario(out, seed, institutions, start, end,
                                variant=variant, with_events=not no_events)
    size = sum(f["bytes"] for f in summary["files"]) / 1e6
    click.echo(f"{out}: {institutions} institutions, {summary['covered_days']} covered days, "
               f"{summary['meetings']} meetings in {len(summary['files'])} export files "
               f"({size:.1f} MB)")


@fixtures.command("regenerate")
@click.option("--dir", "target", type=click.Path(file_okay=False), default="fixtures",
              show_default=True, help="The repository's fixtures directory.")
def regenerate(target: str) -> None:
    """Rewrite the bundled samples, bad files, demo directory and demo exports (fixed seeds)."""
    from monitor.scenario.generate import regenerate_demo, write_samples

    samples = write_samples(target)
    demo = regenerate_demo(target)
    click.echo(f"{target}: {len(samples)} sample files, {len(demo['files'])} demo export files "
               f"({demo['meetings']} meetings)")


commands = [fixtures]
