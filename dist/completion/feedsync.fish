# fish completion for feedsync(1): commands, subcommands and options, as `feedsync help` lists them.
# Installed as PREFIX/share/fish/vendor_completions.d/feedsync.fish.

set -l commands conn preview run plan reconcile products runs worker dest stats presets notify db config console version help
complete -c feedsync -f

# Global options, before the command.
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -l config -r -F -d 'Configuration file'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -l db -r -F -d 'Database file or postgresql:// URL'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -l readonly -d 'Create nothing; a console that changes nothing'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -l no-color -d 'No colours'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -l ascii -d 'Draw the console in ASCII'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -l version -d "The program's version"
complete -c feedsync -s h -l help -d 'Help (after a command: its own)'

complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a conn -d 'Manage connections'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a preview -d 'The first rows of a feed'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a run -d 'Queue a run'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a plan -d 'Show or apply a plan'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a reconcile -d 'Retire products gone from the feed'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a products -d "Each product's state"
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a runs -d 'List, show, cancel, retry runs'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a worker -d 'Execute queued and scheduled runs'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a dest -d 'Manage destinations'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a stats -d 'Statistics per connection and shop'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a presets -d 'Mapping presets'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a notify -d 'Notification channels and what they sent'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a db -d 'Database status and migration'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a config -d 'The configuration in effect'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a console -d 'The full-screen console'
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a version -d "The program's version"
complete -c feedsync -n "not __fish_seen_subcommand_from $commands" -a help -d 'Help on a command'
complete -c feedsync -n "__fish_seen_subcommand_from help" -a "$commands"

# Subcommands.
complete -c feedsync -n "__fish_seen_subcommand_from conn" -a "add edit list show export clone enable disable rm"
complete -c feedsync -n "__fish_seen_subcommand_from plan" -a "show apply"
complete -c feedsync -n "__fish_seen_subcommand_from runs" -a "show errors log cancel retry"
complete -c feedsync -n "__fish_seen_subcommand_from dest" -a "add edit list show rm test"
complete -c feedsync -n "__fish_seen_subcommand_from presets" -a "list show"
complete -c feedsync -n "__fish_seen_subcommand_from db" -a "status migrate copy"
complete -c feedsync -n "__fish_seen_subcommand_from copy" -l from -r -F -d 'SQLite database to copy'
complete -c feedsync -n "__fish_seen_subcommand_from copy" -l to -r -d 'postgresql:// URL to copy into'
complete -c feedsync -n "__fish_seen_subcommand_from copy" -l force -d 'Replace a target that holds rows'
complete -c feedsync -n "__fish_seen_subcommand_from notify" -a "add edit list show rm test log deliver"

# Options of each command.
complete -c feedsync -n "__fish_seen_subcommand_from conn preview plan products runs dest stats presets notify db run reconcile" -l json -d 'JSON output'
complete -c feedsync -n "__fish_seen_subcommand_from conn preview" -l file -r -F -d 'A connection document (- = stdin)'
complete -c feedsync -n "__fish_seen_subcommand_from conn dest" -l name -r -d 'Name'
complete -c feedsync -n "__fish_seen_subcommand_from preview" -l rows -r -d 'Rows shown'
complete -c feedsync -n "__fish_seen_subcommand_from run" -l plan -d 'Store a plan instead of pushing'
complete -c feedsync -n "__fish_seen_subcommand_from run plan reconcile runs" -l wait -d 'Follow the run to its end'
complete -c feedsync -n "__fish_seen_subcommand_from plan" -l only -r -d 'Apply only these SKUs'
complete -c feedsync -n "__fish_seen_subcommand_from plan" -l except -r -d 'Apply all but these SKUs'
complete -c feedsync -n "__fish_seen_subcommand_from plan" -l only-file -r -F -d 'Apply the SKUs listed in a file'
complete -c feedsync -n "__fish_seen_subcommand_from reconcile" -l dry-run -d 'Say what would be retired'
complete -c feedsync -n "__fish_seen_subcommand_from products" -l state -r -d 'Products in this state'
complete -c feedsync -n "__fish_seen_subcommand_from products runs" -l limit -r -d 'At most N'
complete -c feedsync -n "__fish_seen_subcommand_from products" -l sku -r -d "One product's history"
complete -c feedsync -n "__fish_seen_subcommand_from runs dest" -l status -r -d 'Status'
complete -c feedsync -n "__fish_seen_subcommand_from runs" -l conn -r -d 'Runs of one connection'
complete -c feedsync -n "__fish_seen_subcommand_from runs" -l csv -d 'Errors as CSV'
complete -c feedsync -n "__fish_seen_subcommand_from runs" -l follow -d 'Follow the log'
complete -c feedsync -n "__fish_seen_subcommand_from worker" -l threads -r -d 'Worker threads'
complete -c feedsync -n "__fish_seen_subcommand_from worker" -l once -d 'Stop when the queue is empty'
complete -c feedsync -n "__fish_seen_subcommand_from stats" -l days -r -d 'Days covered'
for opt in url type key secret key-env secret-env auth ca-file concurrency batch-size rate-limit timeout overrun \
		repair-duplicates retries backoff-ms circuit-threshold circuit-open patience user app-password \
		app-password-env post-type author taxonomies sku-meta image-meta images image-max-mb delete token \
		token-env api-version location bulk-above
	complete -c feedsync -n "__fish_seen_subcommand_from dest" -l $opt -r
end
complete -c feedsync -n "__fish_seen_subcommand_from dest" -l insecure -d 'Do not verify TLS'
complete -c feedsync -n "__fish_seen_subcommand_from dest" -l verify-tls -d 'Verify TLS'
complete -c feedsync -n "__fish_seen_subcommand_from dest" -l allow-http -d 'Allow plain http (a test server)'
complete -c feedsync -n "__fish_seen_subcommand_from dest" -l force -d 'Remove even when connections use it'
for opt in webhook command arg smtp from to user conn on error-share streak stuck-after limit per attempts backoff \
		timeout secret secret-env subject body run rows
	complete -c feedsync -n "__fish_seen_subcommand_from notify" -l $opt -r
end
complete -c feedsync -n "__fish_seen_subcommand_from notify" -l ca-file -r -F -d 'Trust this CA'
complete -c feedsync -n "__fish_seen_subcommand_from notify" -l body-file -r -F -d 'The body template from a file'
complete -c feedsync -n "__fish_seen_subcommand_from notify" -l starttls -d 'Require STARTTLS'
complete -c feedsync -n "__fish_seen_subcommand_from notify" -l all-connections -d 'Every connection'
complete -c feedsync -n "__fish_seen_subcommand_from notify" -l enable -d 'Enable the channel'
complete -c feedsync -n "__fish_seen_subcommand_from notify" -l disable -d 'Disable the channel'
