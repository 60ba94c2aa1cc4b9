#!/usr/bin/env node
// Installed command; the program is built into dist/ by `pnpm build`.
import '../dist/main.js';
