"""The script ``spark-submit`` runs: the ``canbao`` command line (docs/scale.md).

``spark-submit`` puts the script's own folder first on ``sys.path``; this folder shadows no
module of the standard library (the package's root would: ``canbao/inspect.py``)::

    spark-submit --master yarn "$(python -c 'import canbao.match.spark.submit_cli as m; \
print(m.__file__)')" match --engine spark --household table:db.household ... --output DIR
"""

from canbao.cli import main

if __name__ == "__main__":
    main()
