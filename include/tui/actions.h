/*
 * Every console action, declared once: the enum, its name in feedsync.ini's [keys] section, its default
 * keys, its help text, its group on the help screen, and whether it changes data (such actions are gone
 * in a read-only console). Keys are separated by spaces: a character, C-x for Control-x, F1..F12, or one
 * of Enter Esc Tab Space Backspace Up Down Left Right PgUp PgDn Home End Insert Delete.
 *
 * Header only, so that the configuration can declare a [keys] entry per action without depending on the
 * console.
 */
#ifndef FEEDSYNC_TUI_ACTIONS_H
#define FEEDSYNC_TUI_ACTIONS_H

#define ACTION_CHANGES 1   /* changes data: removed by --readonly */

/* _(ID, name, default keys, group, flags, help) */
#define CONSOLE_ACTIONS(_) \
	_(MOVE_UP, "move_up", "k Up", GROUP_MOVE, 0, "Select the row above") \
	_(MOVE_DOWN, "move_down", "j Down", GROUP_MOVE, 0, "Select the row below") \
	_(PAGE_UP, "page_up", "PgUp C-b", GROUP_MOVE, 0, "One page up") \
	_(PAGE_DOWN, "page_down", "PgDn C-f Space", GROUP_MOVE, 0, "One page down") \
	_(FIRST, "first", "Home g", GROUP_MOVE, 0, "The first row") \
	_(LAST, "last", "End G", GROUP_MOVE, 0, "The last row (in a log: follow new lines again)") \
	_(OPEN, "open", "Enter", GROUP_MOVE, 0, "Open the selected row: a connection's runs, a run's detail") \
	_(SORT_NEXT, "sort_next", "> s", GROUP_TABLE, 0, "Sort by the next column (the arrow in the titles moves right)") \
	_(SORT_PREVIOUS, "sort_previous", "<", GROUP_TABLE, 0, "Sort by the previous column") \
	_(SORT_REVERSE, "sort_reverse", "S", GROUP_TABLE, 0, "Reverse the sort order") \
	_(FILTER, "filter", "/", GROUP_TABLE, 0, \
	  "Filter rows by text in the visible columns (Esc clears the filter, the text stays the search)") \
	_(SEARCH_NEXT, "search_next", "n", GROUP_TABLE, 0, "Select the next row holding the last / text") \
	_(SEARCH_PREVIOUS, "search_previous", "N", GROUP_TABLE, 0, "Select the previous row holding the last / text") \
	_(MARK, "mark", "m", GROUP_TABLE, 0, \
	  "Mark or unmark the row (r, e and x then act on every marked row) and select the next") \
	_(UNMARK_ALL, "unmark_all", "u", GROUP_TABLE, 0, "Clear every mark of this list") \
	_(QUICK_FILTER, "quick_filter", "f", GROUP_TABLE, 0, "Cycle the status filter: all, problems, running, active") \
	_(COLUMNS, "columns", "c", GROUP_TABLE, 0, "Choose the visible columns") \
	_(EXPORT, "export", "w", GROUP_TABLE, 0, "Write the rows of this view to a CSV file") \
	_(RUN_NOW, "run_now", "r", GROUP_ACT, ACTION_CHANGES, "Run the connection now") \
	_(TOGGLE_ACTIVE, "toggle_active", "e", GROUP_ACT, ACTION_CHANGES, "Enable or disable the connection") \
	_(CLONE, "clone", "C", GROUP_ACT, ACTION_CHANGES, "Copy the connection (the copy starts disabled)") \
	_(DELETE, "delete", "d Delete", GROUP_ACT, ACTION_CHANGES, "Delete the connection, its catalog and runs") \
	_(NEW_CONNECTION, "new_connection", "a Insert", GROUP_ACT, ACTION_CHANGES, "Create a connection with the wizard") \
	_(EDIT_CONNECTION, "edit_connection", "E", GROUP_ACT, ACTION_CHANGES, "Change the connection in the wizard") \
	_(CLONE_IN_WIZARD, "clone_in_wizard", "D", GROUP_ACT, ACTION_CHANGES, \
	  "Copy the connection in the wizard, under a new name") \
	_(NEXT_STEP, "next_step", "C-n", GROUP_MOVE, 0, "Wizard: the next step") \
	_(PREVIOUS_STEP, "previous_step", "C-p", GROUP_MOVE, 0, "Wizard: the previous step (Esc too); nothing typed is lost") \
	_(SAVE, "save", "C-s", GROUP_ACT, ACTION_CHANGES, "Wizard: check everything and save the connection") \
	_(SHOW_PRODUCTS, "show_products", "p", GROUP_ACT, 0, "The connection's products: state, remote id, last error") \
	_(LATEST_FAILURE, "latest_failure", "!", GROUP_GLOBAL, 0, \
	  "The latest run that failed or had errors, of any connection") \
	_(CANCEL, "cancel", "x", GROUP_ACT, ACTION_CHANGES, "Cancel the run") \
	_(RETRY, "retry", "R", GROUP_ACT, ACTION_CHANGES, "Run a finished run's connection again as a retry") \
	_(ERRORS, "errors", "e", GROUP_ACT, 0, "The run's errors in full, in order (the first on top)") \
	_(FOLLOW, "follow", "F", GROUP_ACT, 0, "Follow the log again") \
	_(SHOW_LOG, "show_log", "L", GROUP_ACT, 0, "The run's log on a screen of its own: search, levels, wrap") \
	_(SEARCH, "search", "/", GROUP_MOVE, 0, "Log: find a line holding a text (n/N the next/previous)") \
	_(LOG_LEVEL, "log_level", "v", GROUP_ACT, 0, "Log: the lowest level shown, in turn debug, info, warn, error") \
	_(WRAP, "wrap", "w", GROUP_ACT, 0, "Log: wrap long lines, or cut them and scroll sideways") \
	_(SCROLL_LEFT, "scroll_left", "Left h", GROUP_MOVE, 0, "Log: scroll left (lines not wrapped)") \
	_(SCROLL_RIGHT, "scroll_right", "Right l", GROUP_MOVE, 0, "Log: scroll right (lines not wrapped)") \
	_(COPY_ID, "copy_id", "y", GROUP_ACT, 0, "Copy the run id to the clipboard (OSC 52)") \
	_(COPY_ERROR, "copy_error", "Y", GROUP_ACT, 0, "Copy the first error, whole, to the clipboard (OSC 52)") \
	_(SHOW_PLAN, "show_plan", "p", GROUP_ACT, 0, "The run's plan: products to create, update and retire") \
	_(NEXT_KIND, "next_kind", "Tab", GROUP_MOVE, 0, "Plan: show the next kind (create, update, retire)") \
	_(APPLY_PLAN, "apply_plan", "A", GROUP_ACT, ACTION_CHANGES, \
	  "Apply the plan: queue the run that pushes it (refused if the catalog changed)") \
	_(EXCLUDE, "exclude", "-", GROUP_ACT, ACTION_CHANGES, "Plan: leave marked rows (or this one) out") \
	_(INCLUDE, "include", "+", GROUP_ACT, ACTION_CHANGES, "Plan: put marked rows (or this one) back") \
	_(EXCLUDE_MATCHING, "exclude_matching", "X", GROUP_ACT, ACTION_CHANGES, \
	  "Plan: exclude all the filter matches") \
	_(INCLUDE_MATCHING, "include_matching", "I", GROUP_ACT, ACTION_CHANGES, \
	  "Plan: include all the filter matches") \
	_(TEST_DESTINATION, "test_destination", "t", GROUP_ACT, ACTION_CHANGES, \
	  "Test the shop: reachability, TLS, authentication, permissions (in the background)") \
	_(SHOW_CONNECTIONS, "show_connections", "1", GROUP_GLOBAL, 0, "The connections screen") \
	_(SHOW_RUNS, "show_runs", "2", GROUP_GLOBAL, 0, "The runs of every connection") \
	_(SHOW_DESTINATIONS, "show_destinations", "3", GROUP_GLOBAL, 0, "The destinations: health, circuit, batch size") \
	_(COMMAND, "command", ":", GROUP_GLOBAL, 0, \
	  "A command: runs [problems|running|active], conn ID|NAME, dest, q (Tab completes, Up/Down recall)") \
	_(SHOW_STATS, "show_stats", "4", GROUP_GLOBAL, 0, \
	  "Stats of the last 30 days: runs per day, failures, median and p95 duration, products changed") \
	_(HELP, "help", "? F1", GROUP_GLOBAL, 0, "The keys of this screen") \
	_(REDRAW, "redraw", "C-l", GROUP_GLOBAL, 0, "Read everything again and redraw the screen") \
	_(BACK, "back", "q Esc Backspace", GROUP_GLOBAL, 0, "Close this screen (q on the first one quits)") \
	_(QUIT, "quit", "Q C-c", GROUP_GLOBAL, 0, "Quit the console")

enum action_group { GROUP_MOVE, GROUP_TABLE, GROUP_ACT, GROUP_GLOBAL, GROUP_COUNT };

#define ACTION_ENUM(id, name, keys, group, flags, help) ACTION_##id,
enum action { CONSOLE_ACTIONS(ACTION_ENUM) ACTION_COUNT, ACTION_NONE = ACTION_COUNT };
#undef ACTION_ENUM

#endif
