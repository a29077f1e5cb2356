// console pages: live parts only; every page works without JavaScript.
"use strict";
