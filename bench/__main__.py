"""`python -m bench [apply|import|keys|reconcile|reports|payments|all]`
`[--db ...] [--quick|--scale F]`.

`--db` is sqlite, postgres or both.
"""

from __future__ import annotations

import argparse

from bench import (
    apply_bench,
    import_bench,
    keys_bench,
    payments_bench,
    reconcile_bench,
    reports_bench,
)
from bench.common import save
from isf_ledger import logs

BENCHES = {
    "apply": apply_bench,
    "import": import_bench,
    "keys": keys_bench,
    "reconcile": reconcile_bench,
    "reports": reports_bench,
    "payments": payments_bench,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("which", nargs="?", default="all", choices=[*BENCHES, "all"])
    parser.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full sizes (people, rows)"
    )
    args = parser.parse_args()
    logs.configure()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    chosen = BENCHES if args.which == "all" else {args.which: BENCHES[args.which]}
    for name, module in chosen.items():
        figures = module.run(kinds, quick=args.quick, scale=args.scale)
        for figure in figures:
            print(figure.line(), flush=True)
        save(figures, name)


if __name__ == "__main__":
    main()
