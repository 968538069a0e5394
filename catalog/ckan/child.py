"""`python -m catalog.ckan.child <memory MB>`: the child process of a CKAN write's publish
(`catalog.ckan.publishing`), a module of its own so that the one it runs is imported once,
as the package's, whose request classes the server pickled."""

import sys

from catalog.ckan.publishing import main

if __name__ == "__main__":
    main(int(sys.argv[1]))
