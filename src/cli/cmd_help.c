/*
 * The help table: one entry per command, the single source of `feedsync help` (every entry in order),
 * `feedsync help CMD` and `feedsync CMD --help` (that entry with its details). The man page feedsync(1)
 * is checked against it by tests/integration/test_help.sh.
 */
#include "cli/help.h"

#include <stddef.h>

#include "core/util.h"
#include "dest/shopify_api.h"

struct command_help {
	const char *name;
	const char *heading; /* starts a group in `feedsync help` */
	const char *text;    /* the command's lines in `feedsync help` */
	const char *details; /* shown after them in the command's own help only */
};

static const char global_usage[] =
	"usage: feedsync [--config FILE] [--db FILE] [--readonly] [--no-color] [--ascii] [COMMAND ...]\n";

static const struct command_help help_table[] = {
	{"conn", "Connections:",
	 "  conn add --file F [--json]       create a connection from a JSON document (\"-\" = stdin)\n"
	 "  conn edit ID --file F [--json]   replace a connection's document\n"
	 "  conn list [--json]               list connections with their last run\n"
	 "  conn show ID [--json]            a connection and its document\n"
	 "  conn export ID                   the document, ready for conn add\n"
	 "  conn clone ID [--name N]         copy a connection (inactive until enabled)\n"
	 "  conn enable ID | disable ID | rm ID\n", NULL},
	{"preview", NULL,
	 "  preview ID|FEED|--file F [--rows N] [--json]\n"
	 "                                   the first rows as the pipeline sees them, with warnings;\n"
	 "                                   a FEED (path or URL) is sniffed, no document needed\n", NULL},
	{"run", "Runs:",
	 "  run ID [--wait] [--json]         queue a run; --wait executes it here unless a worker runs\n"
	 "  run ID --plan [--wait] [--json]  import, then store what a push would do instead of pushing\n", NULL},
	{"plan", NULL,
	 "  plan show RUN [--json]           a plan: products to create, update (old -> new) and retire\n"
	 "  plan apply RUN [--wait] [--json] push exactly the plan (once; refused if the catalog changed)\n"
	 "    [--only SKU... | --except SKU... | --only-file F]  or a part of it; the rest stays pending\n", NULL},
	{"reconcile", NULL,
	 "  reconcile ID [--dry-run] [--wait] [--json]\n"
	 "                                   retire the products gone from the feed (update.missing_action)\n",
	 NULL},
	{"products", NULL,
	 "  products CONN [--state S] [--limit N] [--json] | products CONN --sku S [--json]\n"
	 "                                   each product's state, remote id, last error; one product's history\n",
	 NULL},
	{"runs", NULL,
	 "  runs [--status S] [--conn ID] [--limit N] [--json]\n"
	 "  runs show ID [--json] | errors ID [--json|--csv] | log ID [--follow]\n"
	 "  runs cancel ID | retry ID [--wait]\n", NULL},
	{"worker", NULL,
	 "  worker [--threads N] [--once]    execute queued and scheduled runs until stopped\n",
	 "\n"
	 "Under systemd (feedsync-worker.service) it reports READY=1 and WATCHDOG=1 over $NOTIFY_SOCKET, keeps\n"
	 "its database in $STATE_DIRECTORY, and reopens its log file on SIGHUP. SIGTERM or SIGINT stops it.\n"},
	{"dest", "Destinations (WooCommerce shops, WordPress sites, Shopify stores):",
	 "  dest add | edit ID|NAME | list | show ID|NAME | rm ID|NAME | test ID|NAME\n"
	 "                                   `feedsync help dest` lists the options\n",
	 "\n"
	 "feedsync dest add --name N --url URL (--key CK --secret CS | --key-env VAR --secret-env VAR) [options]\n"
	 "feedsync dest edit ID|NAME [--name N] [--url URL] [credentials] [options]\n"
	 "feedsync dest list [--json] | show ID|NAME [--json] | rm ID|NAME [--force] | test ID|NAME [--json]\n"
	 "  --secret - reads the secret from the first line of standard input\n"
	 "  options: --auth auto|basic|oauth, --insecure (do not verify TLS) or --verify-tls,\n"
	 "           --ca-file PEM (trust this CA instead of the system's; \"\" goes back), --concurrency N,\n"
	 "           --batch-size N, --rate-limit PER_S, --timeout S, --overrun S, --repair-duplicates 0|1,\n"
	 "           --retries N, --backoff-ms MS, --circuit-threshold N, --circuit-open S, --patience S\n"
	 "feedsync dest add --type wordpress --name N --url URL --user U (--app-password PW | --app-password-env VAR)\n"
	 "  site options: --allow-http, --post-type REST_BASE, --status publish|draft|pending, --author ID,\n"
	 "           --taxonomies A,B, --sku-meta KEY, --image-meta KEY, --images meta|upload,\n"
	 "           --image-max-mb N (largest image uploaded, default 10), --delete trash|force\n"
	 "feedsync dest add --type shopify --name N --url https://SHOP.myshopify.com (--token T | --token-env VAR)\n"
	 "  shop options: --api-version YYYY-MM (default " SHOPIFY_DEFAULT_API_VERSION "), --location NAME|GID\n"
	 "           (default: the primary location), --bulk-above N (a run pushing N products or more goes\n"
	 "           through a bulk mutation, default 2000, 0 never), --allow-http (a test server)\n"
	 "  --app-password - and --token - read the secret from the first line of standard input\n"},
	{"stats", NULL,
	 "  stats [--days N] [--json]        per connection and shop over N days (30): runs/day, failures,\n"
	 "                                   median and p95 duration, products created/updated/retired\n", NULL},
	{"presets", "Mapping presets:",
	 "  presets list [--json] | show NAME[@VERSION] [--json]\n"
	 "                                   the field presets per product type (deal, hotel, ...), shipped\n"
	 "                                   and the user's own ($XDG_CONFIG_HOME/feedsync/presets)\n", NULL},
	{"notify", "Notifications:",
	 "  notify add NAME CHANNEL [RULES] [DELIVERY] | edit ID|NAME [...] | list | show ID|NAME | rm ID|NAME\n"
	 "  notify test ID|NAME | log [ID|NAME] [--run RUN] | deliver\n"
	 "                                   messages on failures, streaks, stuck runs, open circuits, recovery\n",
	 "\n"
	 "feedsync notify add NAME CHANNEL [RULES] [DELIVERY]\n"
	 "feedsync notify edit ID|NAME [CHANNEL] [RULES] [DELIVERY] [--enable | --disable]\n"
	 "feedsync notify list [--json] | show ID|NAME [--json] | rm ID|NAME | test ID|NAME\n"
	 "feedsync notify log [ID|NAME] [--run RUN] [--rows N] [--json] | deliver\n"
	 "channel, one of:\n"
	 "  --webhook URL                  POST the JSON payload (signed when the channel has a secret)\n"
	 "  --command PROG [--arg A]...    run PROG with the payload on stdin (no shell)\n"
	 "  --smtp smtp[s]://HOST[:PORT] --from ADDR --to ADDR[,ADDR...] [--user U] [--starttls]\n"
	 "rules:\n"
	 "  --conn ID | --all-connections  one connection's runs, or every connection's (the default)\n"
	 "  --on EVENTS                    failed,errors,streak,stuck,circuit,recovery\n"
	 "                                 (default failed,stuck,circuit,recovery)\n"
	 "  --error-share PCT              errors: a run completed with errors on at least PCT% of its rows (0)\n"
	 "  --streak N                     streak: the Nth failed run in a row (3)\n"
	 "  --stuck-after S                stuck: a running run without a heartbeat for S seconds (300)\n"
	 "delivery:\n"
	 "  --limit N [--per S]            at most N messages per S seconds (3600); the rest as one summary\n"
	 "  --attempts N --backoff S --timeout S   tries (5), first retry delay doubling (30), bound (10)\n"
	 "  --ca-file PEM                  trust these certificates (a private CA) for https:// and TLS mail\n"
	 "  --secret - | --secret-env VAR  the webhook's signing key or the SMTP password: stdin, sealed; or\n"
	 "                                 the variable that holds it\n"
	 "  --subject TEMPLATE --body TEMPLATE | --body-file F   {{field}} templates over the payload\n"},
	{"db", "Database:",
	 "  db status [--json]               the backend, the file and its schema version\n"
	 "  db migrate [--json]              apply the missing schema steps (any command does on opening)\n"
	 "  db copy --to postgresql://... [--from FILE.db] [--force] [--json]\n"
	 "                                   move a SQLite installation into PostgreSQL, in one transaction\n", NULL},
	{"config", "Other:",
	 "  config                           the configuration in effect, as ini text\n", NULL},
	{"console", NULL,
	 "  console                          the full-screen console (also: no command at all)\n", NULL},
	{"version", NULL, "  version                          the program's version\n", NULL},
	{"help", NULL, "  help [COMMAND]                   this text, or one command's help with its details\n",
	 NULL},
};

static const char global_details[] =
	"\n"
	"Global options:\n"
	"  --config FILE   the configuration (else $FEEDSYNC_CONFIG, ./feedsync.ini,\n"
	"                  $XDG_CONFIG_HOME/feedsync/feedsync.ini, /etc/feedsync/feedsync.ini)\n"
	"  --db FILE       the database (else $FEEDSYNC_DB, [database] path, $STATE_DIRECTORY/feedsync.db,\n"
	"                  $XDG_DATA_HOME/feedsync/feedsync.db); a read-only command never creates one\n"
	"  --readonly      open the console without the actions that change data; create no database\n"
	"  --no-color      no colours (also $NO_COLOR)\n"
	"  --ascii         draw the console in ASCII\n"
	"  -h, --help      this text; COMMAND --help shows that command's\n"
	"  --version       the program's version\n"
	"\n"
	"Exit codes: 0 completed, 1 failed, 2 usage, 3 completed with errors, 4 cancelled,\n"
	"            5 refused (an active run exists, a plan already applied), 6 not found (also: no database\n"
	"            yet for a read-only command), 7 outdated (the catalog changed since the plan was made).\n";

void help_print_all(FILE *out)
{
	fprintf(out, "%s\nWith no command, opens the console.\n\n", global_usage);
	for (size_t i = 0; i < sizeof(help_table) / sizeof(help_table[0]); i++) {
		if (help_table[i].heading)
			fprintf(out, "%s\n", help_table[i].heading);
		fputs(help_table[i].text, out);
	}
	fputs(global_details, out);
}

bool help_print(const char *command, FILE *out)
{
	for (size_t i = 0; i < sizeof(help_table) / sizeof(help_table[0]); i++) {
		if (!str_eq(help_table[i].name, command))
			continue;
		fprintf(out, "usage: feedsync [global options] %s ...\n\n%s%s", command, help_table[i].text,
		        help_table[i].details ? help_table[i].details : "");
		fputs("\nGlobal options and exit codes: feedsync help\n", out);
		return true;
	}
	return false;
}
