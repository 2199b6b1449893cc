"""The process behind core.pg_copy: runs one COPY ... TO STDOUT and writes the rows to its stdout.

Reads a JSON object {"params": psycopg2.connect keyword arguments, "sql": the COPY statement} from stdin
(stdin, not argv or the environment: the password must not show in the process list). Imports psycopg2
only, so it starts in a few tens of milliseconds. An error goes to stderr with exit status 1.
"""

import json
import os
import sys


def main() -> int:
    import psycopg2

    job = json.loads(sys.stdin.buffer.read())
    out = os.fdopen(sys.stdout.fileno(), "wb", buffering=1 << 20, closefd=False)
    try:
        connection = psycopg2.connect(**job["params"])
        try:
            with connection.cursor() as cursor:
                # JIT compiles before the first row is sent: slower to start, no faster for a plain scan
                cursor.execute("SET client_encoding TO 'UTF8'; SET DateStyle TO ISO; SET jit TO off")
                cursor.copy_expert(job["sql"], out)
        finally:
            connection.close()
        out.flush()
    except BrokenPipeError:  # the reader stopped early
        return 0
    except Exception as exc:  # reported by the reading process
        sys.stderr.write(f"{type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
