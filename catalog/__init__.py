"""The catalogue: everything below the web and API layers, one subpackage per purpose.

    errors     the error tree every layer raises and the wire formats render
    store      the Store protocol and its local-folder implementation: descriptors (the
               typed `Package` model and its vocabularies), publishing, versions
    state      the platform's own state in SQLite or PostgreSQL: API tokens with scopes,
               the audit log; Alembic migrations
    sql        filters, JSON rows, deadlines: SQL text, light enough for the sandbox worker
    settings   the one Settings class
    sandbox    the process pool that runs user SQL under rules and limits
    query      the DuckDB query engine: rows, aggregates, totals, the output renderer and the
               download formats (`catalog.query.FORMATS`, `encode`)
    search     catalogue search: the index, CKAN `q`/`fq` compiled to one predicate
    metadata   DCAT-AP, data.json, schema.org, the vocabularies' labels, citations
    ckan       the CKAN Action API: mapping, actions, DataStore, writes, push

A subpackage imports only those listed before it, and `validation` (`store`, `state` and `sql`
are independent of each other); the import contracts in pyproject.toml hold this. Code outside
a subpackage imports from the subpackage, never from its modules.
"""
