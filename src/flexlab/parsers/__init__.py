"""flexlab.parsers: a Genie external-parser package.

Genie's ``get_parser`` (genie.libs.parser.utils.common._load_parser_json) merges this
package into its parser index when it is named by any of:

* the entry point ``[project.entry-points."genie.libs.parser"] flexlab = "flexlab.parsers"``
  (declared in pyproject.toml; active whenever flexlab is installed),
* the environment variable ``PYATS_LIBS_EXTERNAL_PARSER=flexlab.parsers``,
* the pyATS configuration ``[pyats.libs.external] parser = flexlab.parsers``.

The index is built by walking this package's directories: each sub-package declares its
abstraction token (``ios/``, ``iosxe/``) and every MetaParser subclass *defined* in one of
its modules is registered for the commands in its ``cli_command``. See docs/parsers.md.
"""

from genie import abstract

abstract.declare_package(__name__)
