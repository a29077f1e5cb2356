// userloop pages work without JavaScript; this file only adds live parts.
// Each part is wired by a data- attribute, so pages stay free of inline script (CSP).
"use strict";
