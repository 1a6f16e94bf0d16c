#!/usr/bin/env bash
# Featured images uploaded to a WordPress site's media library (--images upload): once per distinct URL, cached
# across runs, capped in size, streamed, retried; the images are served by tests/helpers/feedserver.py.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/fakewp/wp_lib.sh"

# make_images: $T/img with a.jpg (3000 bytes), b.png (2000 bytes) and big.jpg (2 MiB), served; sets $FEED_URL.
make_images() {
	mkdir -p "$T/img"
	head -c 3000 /dev/urandom >"$T/img/a.jpg"
	head -c 2000 /dev/urandom >"$T/img/b.png"
	head -c $((2 * 1024 * 1024)) /dev/zero >"$T/img/big.jpg"
	start_feedserver "$T/img"
}

# image_feed ROW...: $T/feed.csv of "sku,name,image" rows.
image_feed() {
	printf 'sku,name,image\n' >"$T/feed.csv"
	printf '%s\n' "$@" >>"$T/feed.csv"
}

media_uploads() { wp_state 'sum(1 for r in s["requests"] if r["path"] == "/wp-json/wp/v2/media")'; }
featured_of() { wp_state "[p['featured_media'] for p in posts if p['meta']['feedsync_sku'] == '$1'][0]"; }

test_one_upload_per_distinct_url_and_none_on_a_rerun() {
	start_fakewp || return
	make_images || return
	add_site --images upload
	image_feed "A-1,Deal one,$FEED_URL/files/a.jpg" "A-2,Deal two,$FEED_URL/files/a.jpg" \
		"A-3,Deal three,$FEED_URL/files/b.png|$FEED_URL/files/a.jpg"
	add_wp_conn
	fs run "$CONN_ID" --wait
	expect_rc 0 "first run ($OUT$ERR)"
	expect_eq "$(media_uploads)" "2" "uploads: one per distinct first image"
	expect_eq "$(wp_state '[m["size"] for m in s["media"]]')" "[3000, 2000]" "the whole files arrived"
	expect_eq "$(wp_state '[m["file"] + " " + m["mime"] for m in s["media"]]')" '["a.jpg image/jpeg", "b.png image/png"]' \
		"file names and types"
	local a
	a=$(featured_of A-1)
	expect_eq "$(featured_of A-2)" "$a" "the posts sharing an image share its attachment"
	expect_not_contains "$(featured_of A-3)" "$a"
	expect_eq "$(sql 'select count(*) from media_uploads')" "2" "cached attachments"
	# A change to the posts re-sends them with their attachments, uploading nothing.
	sed -i 's/Deal/Offer/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "second run"
	expect_eq "$(media_uploads)" "2" "uploads after the re-run"
	expect_eq "$(featured_of A-2)" "$a" "A-2 keeps its attachment"
	expect_eq "$(wp_state '[p["title"] for p in posts if p["meta"]["feedsync_sku"] == "A-2"][0]')" "Offer two" "updated"
}

test_bad_images_are_item_errors() {
	start_fakewp --max-upload-kb 8192 || return
	make_images || return
	add_site --images upload --image-max-mb 1
	image_feed "B-1,Big,$FEED_URL/files/big.jpg" "B-2,Gone,$FEED_URL/files/nosuch.jpg" "B-3,Fine,$FEED_URL/files/a.jpg" \
		"B-4,Page,$FEED_URL/html" "B-5,Local,/etc/passwd"
	add_wp_conn
	mkdir "$T/tmp"
	TMPDIR="$T/tmp" fs run "$CONN_ID" --wait
	expect_rc 3 "run with bad images (completed with errors)"
	expect_eq "$(ls -A "$T/tmp")" "" "temp files left behind"
	expect_eq "$(sql 'select status from sync_runs where id = 1')" "completed_with_errors" "run status"
	expect_eq "$(wp_state 'sorted(skus)')" '["B-3"]' "only the post with a good image"
	expect_eq "$(media_uploads)" "1" "uploads"
	local big missing
	big=$(sql "select code || ': ' || message from run_errors where sku = 'B-1'")
	expect_contains "$big" "image_too_large: image $FEED_URL/files/big.jpg is 2097152 bytes, over the 1 MiB limit"
	missing=$(sql "select code || ': ' || message from run_errors where sku = 'B-2'")
	expect_contains "$missing" "image_download_failed: cannot download the image: HTTP 404"
	expect_contains "$missing" "$FEED_URL/files/nosuch.jpg"
	expect_contains "$(sql "select detail from run_errors where sku = 'B-2'")" '"status":404' "the 404's detail"
	expect_contains "$(sql "select code || ': ' || message from run_errors where sku = 'B-4'")" \
		"image_not_an_image: image $FEED_URL/html answered text/html, not an image"
	expect_contains "$(sql "select code || ': ' || message from run_errors where sku = 'B-5'")" \
		"image_not_http: image '/etc/passwd' is not an http or https URL"
}

test_an_upload_refused_by_the_site_is_an_item_error() {
	start_fakewp --max-upload-kb 1 || return
	make_images || return
	add_site --images upload
	image_feed "C-1,Deal,$FEED_URL/files/a.jpg"
	add_wp_conn
	fs run "$CONN_ID" --wait
	expect_rc 3 "run (completed with errors)"
	expect_contains "$(sql "select code || ': ' || message from run_errors where sku = 'C-1'")" \
		"rest_upload_file_too_big: 'site' did not take the image $FEED_URL/files/a.jpg of C-1 into its media library"
	expect_eq "$(wp_state 'len(posts)')" "0" "posts"
}

test_an_upload_is_retried_with_its_whole_body_after_a_503() {
	start_fakewp || return
	make_images || return
	add_site --images upload
	image_feed "D-1,Deal,$FEED_URL/files/a.jpg"
	add_wp_conn
	wp_ctl faults '[{"match": {"method": "POST", "path": "/wp-json/wp/v2/media"}, "status": 503, "times": 1}]'
	fs run "$CONN_ID" --wait
	expect_rc 0 "run through the 503 ($ERR)"
	expect_eq "$(media_uploads)" "2" "the upload and its retry"
	expect_eq "$(wp_state '[m["size"] for m in s["media"]]')" "[3000]" "one attachment, whole"
	expect_eq "$(featured_of D-1)" "$(wp_state 's["media"][0]["id"]')" "featured_media"
	fs_fast runs log 1
	expect_contains "$OUT" "HTTP 503"
}

test_an_attachment_deleted_from_the_library_is_uploaded_again() {
	start_fakewp || return
	make_images || return
	add_site --images upload
	image_feed "E-1,Deal,$FEED_URL/files/a.jpg"
	add_wp_conn
	fs_fast run "$CONN_ID" --wait
	local old
	old=$(featured_of E-1)
	curl -s -u "$WP_USER:$WP_PASSWORD" -X DELETE "$WP_URL/wp-json/wp/v2/media/$old?force=true" >/dev/null
	sed -i 's/Deal/Offer/' "$T/feed.csv"
	fs run "$CONN_ID" --wait
	expect_rc 0 "run after the deletion ($(sql 'select message from run_errors'))"
	expect_eq "$(media_uploads)" "2" "uploads: the image again"
	expect_eq "$(featured_of E-1)" "$(wp_state 's["media"][0]["id"]')" "the post takes the new attachment"
	expect_not_contains "$(featured_of E-1)" "$old"
	expect_eq "$(sql 'select media_id from media_uploads')" "$(featured_of E-1)" "the cache holds the new one"
}

test_dest_test_names_a_user_who_cannot_upload() {
	start_fakewp || return
	add_site --images upload
	fs dest test "$DEST_ID"
	expect_rc 0 "dest test ($OUT)"
	expect_contains "$OUT" "can create and publish posts and upload images"
	fs_fast dest edit "$DEST_ID" --user contrib --app-password "cccc dddd eeee ffff gggg hhhh" --status draft
	fs dest test "$DEST_ID"
	expect_rc 1 "dest test of a contributor"
	expect_contains "$OUT" "user 'contrib' cannot upload images to the media library (needs upload_files)"
	fs dest edit "$DEST_ID" --images sideload
	expect_rc 2 "a bad --images"
	expect_contains "$ERR" "options.site.images: must be meta or upload, not 'sideload'"
}

run_tests "$@"
