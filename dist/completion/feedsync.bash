# bash completion for feedsync(1): commands, subcommands and options, as `feedsync help` lists them.
# Installed as PREFIX/share/bash-completion/completions/feedsync.

_feedsync() {
	local cur prev words cword
	_init_completion || return

	local global="--config --db --readonly --no-color --ascii --help -h --version"
	local commands="conn preview run plan reconcile products runs worker dest stats presets notify db config console version help"
	local dest_opts="--name --url --type --key --secret --key-env --secret-env --auth --insecure --verify-tls
		--ca-file --concurrency --batch-size --rate-limit --timeout --overrun --repair-duplicates --retries
		--backoff-ms --circuit-threshold --circuit-open --patience --user --app-password --app-password-env
		--allow-http --post-type --status --author --taxonomies --sku-meta --image-meta --images --image-max-mb
		--delete --token --token-env --api-version --location --bulk-above --force --json"

	case $prev in
	--config | --db | --file | --only-file | --ca-file | --body-file)
		_filedir
		return
		;;
	--auth) mapfile -t COMPREPLY < <(compgen -W "auto basic oauth" -- "$cur"); return ;;
	--type) mapfile -t COMPREPLY < <(compgen -W "woocommerce wordpress shopify" -- "$cur"); return ;;
	--images) mapfile -t COMPREPLY < <(compgen -W "meta upload" -- "$cur"); return ;;
	--delete) mapfile -t COMPREPLY < <(compgen -W "trash force" -- "$cur"); return ;;
	esac

	# The command: the first word after the global options (and their values).
	local i cmd="" sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--config | --db) ((i++)) ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then cmd=${words[i]}; elif [ -z "$sub" ]; then sub=${words[i]}; fi
			;;
		esac
	done

	local opts
	case $cmd in
	"") opts="$global $commands" ;;
	conn)
		[ -n "$sub" ] || { opts="add edit list show export clone enable disable rm"; }
		opts="${opts:-} --file --json --name --help" ;;
	preview) opts="--file --rows --json --help" ;;
	run) opts="--plan --wait --json --help" ;;
	plan)
		[ -n "$sub" ] || opts="show apply"
		opts="${opts:-} --wait --json --only --except --only-file --help" ;;
	reconcile) opts="--dry-run --wait --json --help" ;;
	products) opts="--state --limit --sku --json --help" ;;
	runs)
		[ -n "$sub" ] || opts="show errors log cancel retry"
		opts="${opts:-} --status --conn --limit --json --csv --follow --wait --help" ;;
	worker) opts="--threads --once --help" ;;
	dest)
		[ -n "$sub" ] || opts="add edit list show rm test"
		opts="${opts:-} $dest_opts --help" ;;
	stats) opts="--days --json --help" ;;
	presets)
		[ -n "$sub" ] || opts="list show"
		opts="${opts:-} --json --help" ;;
	notify)
		[ -n "$sub" ] || opts="add edit list show rm test log deliver"
		opts="${opts:-} --webhook --command --arg --smtp --from --to --user --starttls --conn --all-connections --on --error-share --streak --stuck-after --limit --per --attempts --backoff --timeout --ca-file --secret --secret-env --subject --body --body-file --enable --disable --run --rows --json --help" ;;
	db)
		[ -n "$sub" ] || opts="status migrate copy"
		[ "$sub" = copy ] && opts="--from --to --force"
		opts="${opts:-} --json --help" ;;
	help) [ -n "$sub" ] || opts="$commands" ;;
	*) opts="--help" ;;
	esac
	# shellcheck disable=SC2086
	mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}
complete -F _feedsync feedsync
