#!/usr/bin/env node
// Installed command: applies the Postgres migrations and exits (the Helm hook Job runs it).
import '../dist/migrate.js';
