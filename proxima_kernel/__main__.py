"""``python -m proxima_kernel`` runs the ``proxima`` command."""

from proxima_kernel._cli import main

main(prog_name="proxima")
