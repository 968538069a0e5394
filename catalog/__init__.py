"""The catalogue: everything below the web and API layers, one subpackage per purpose.

    errors     the error tree every layer raises and the wire formats render
    settings   the one Settings class
    store      the Store protocol and its local-folder implementation: descriptors (the
               typed `Package` model and its vocabularies), publishing, versions, tokens, audit
    sql        filters, JSON rows, deadlines: SQL text, light enough for the sandbox worker
    sandbox    the process pool that runs user SQL under rules and limits
    query      the DuckDB query engine: rows, aggregates, totals, the output renderer and the
               download formats (`catalog.query.FORMATS`, `encode`)
    search     catalogue search: the index, CKAN `q`/`fq` compiled to one predicate
    metadata   DCAT-AP, data.json, schema.org, vocabularies' labels, citations
    ckan       the CKAN Action API: mapping, actions, DataStore, writes, push

Imports flow downwards in this list's reverse (ckan → metadata → search → query → sandbox →
settings → sql / store → errors → validation); the import contracts in pyproject.toml hold it.
Code outside a subpackage imports from the subpackage, never from its modules.
"""
