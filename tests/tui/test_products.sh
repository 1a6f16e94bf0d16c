#!/bin/bash
# The Products screen, driven in tmux at 80x24: opened with p from the connections, sorted by SKU and by state,
# filtered by SKU and by the failed state, a product's page with its history, then back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui_lib.sh"
. "$ROOT/tests/fakewoo/woo_lib.sh"

# 12 products pushed to the fake shop, which refused SKU-00003.
pushed_with_one_failure() {
	start_fakewoo || return 1
	add_shop
	make_feed 12
	add_woo_conn
	woo item_errors '{"SKU-00003": {"code": "woocommerce_rest_invalid_image", "message": "Invalid image."}}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 3 "the push with one refusal"
}

# row_of TEXT: the first line of the screen holding TEXT.
row_of() { screen | grep -m1 -- "$1"; }

test_products_sort_filter_and_a_product_page_at_80x24() {
	pushed_with_one_failure || return
	console 80 24 --
	wait_screen "Woo feed"
	keys_then "Products of Woo feed" p
	wait_screen "12 of 12"
	expect_contains "$(screen)" "sort sku ▲"
	expect_fits 80
	local s; s=$(screen)
	for title in SKU NAME STATE PRICE LAST; do expect_contains "$s" "$title" "the titles"; done
	expect_contains "$(row_of SKU-00003)" "failed"
	expect_contains "$(row_of SKU-00003)" "the shop refused"
	expect_contains "$(row_of SKU-00000)" "in_sync"
	# The first row after reversing the SKU order is the last SKU.
	keys_then "SKU▼" S
	screen | sed -n 3p | grep -q "SKU-00011" || fail "SKU-00011 is not first in reverse: $(screen | sed -n 3p)"
	# s: sorted by state (along the state index), the failed product first, then the eleven in sync.
	keys_then "STATE▲" s
	screen | sed -n 3p | grep -q "SKU-00003.*failed" || fail "the failed product is not first by state: $(screen | sed -n 3p)"
	screen | sed -n 4p | grep -q "SKU-00000.*in_sync" || fail "in_sync does not follow, in SKU order: $(screen | sed -n 4p)"
	expect_fits 80
	# The filter finds the SKUs that begin with it; then the quick filter for failed products.
	keys / S K U - 0 0 0 1
	wait_screen "2 of 12"
	keys Enter
	expect_contains "$(screen)" "SKU-00010"
	expect_contains "$(screen)" "SKU-00011"
	expect_not_contains "$(screen)" "SKU-00003"
	keys_then "12 of 12" / Escape
	keys_then "[problems]" f
	wait_screen "1 of 12"
	# Enter: the product's page, with its history; q goes back to the list.
	keys_then "Product SKU-00003" Enter
	wait_screen "history (newest first)"
	s=$(screen)
	expect_contains "$s" "state          failed"
	expect_contains "$s" "last error     run 1: the shop refused"
	expect_contains "$s" "first seen"
	expect_fits 80
	keys q
	wait_screen "Products of Woo feed"
	keys q
	wait_screen "Connections"
	stop_console
}

# Grouped rows: a wide terminal shows each variant's parent; at 80 columns its page names it.
test_variants_show_their_parent() {
	start_fakewoo || return
	add_shop
	printf 'sku,name,price,quantity,group,size\nMUG,Mug,5.00,9,,\nTEE-M,Tee M,11.00,4,TEE,M\nTEE-S,Tee S,10.00,3,TEE,S\n' >"$T/feed.csv"
	add_woo_conn '"group": {"by": "group", "options": ["size"]}'
	fs_fast run "$CONN_ID" --wait
	expect_rc 0 "the push ($ERR)"
	console 120 30 --
	wait_screen "Woo feed"
	keys_then "Products of Woo feed" p
	wait_screen "3 of 3"
	expect_contains "$(screen)" "PARENT"
	expect_contains "$(row_of TEE-S)" "TEE "
	expect_not_contains "$(row_of MUG)" "TEE"
	stop_console
	console 80 24 --
	wait_screen "Woo feed"
	keys_then "Products of Woo feed" p
	wait_screen "3 of 3"
	expect_fits 80
	keys Down Down
	keys_then "Product TEE-S" Enter
	expect_contains "$(screen)" "variant of     TEE"
	stop_console
}

test_the_help_of_the_products_screen_names_its_keys() {
	pushed_with_one_failure || return
	console 80 24 --
	wait_screen "Woo feed"
	keys_then "Products of Woo feed" p
	keys_then "Help: Products" "?"
	expect_contains "$(screen)" "Open the selected row"
	keys q
	wait_screen "Products of Woo feed"
	stop_console
}

run_tests "$@"
