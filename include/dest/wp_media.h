/*
 * A product's image into a WordPress site's media library. WordPress core (class-wp-rest-attachments-
 * controller.php create_item, upload_from_data): POST /wp-json/wp/v2/media takes the file itself as the body,
 * its name in Content-Disposition (attachment; filename=...; the extension must be an allowed type) and its type
 * in Content-Type, and answers 201 with the attachment, whose id a post takes as featured_media. It refuses with
 * 400 rest_upload_no_content_disposition, rest_upload_no_data, rest_upload_file_too_big, rest_upload_sideload_error.
 *
 * The image is downloaded to a temp file under a byte cap and streamed from the file, so that neither the
 * download nor the upload holds the image in memory.
 */
#ifndef FEEDSYNC_DEST_WP_MEDIA_H
#define FEEDSYNC_DEST_WP_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "dest/http.h"
#include "feed/fetch.h"

/*
 * Downloads the image at url (http or https only: a feed never makes feedsync upload a local file) into a temp
 * file of at most max_bytes. 0, or -1 with *code and err naming the URL (credentials blanked) and the cause: its
 * size over the cap (image_too_large), an HTTP failure (image_download_failed, res->detail holding the answer),
 * a page that is not an image (image_not_an_image).
 */
int wp_media_download(const char *url, uint64_t max_bytes, const struct config *cfg, fetch_progress_fn progress,
                      void *progress_ud, struct fetch_result *res, const char **code, char *err, size_t errsize);

/*
 * Fills r as the upload of the downloaded image: POST /wp-json/wp/v2/media with the file as its streamed body,
 * a file name made from the URL (with the extension of its type when the URL has none) and its Content-Type.
 * The file stays open in r, so the download's temp file can go at once. -1 with err when it cannot be opened.
 */
int wp_media_request(const char *url, const struct fetch_result *image, struct http_request *r, char *err,
                     size_t errsize);

/* The attachment id of an upload's answer; 0 when it is not a 201 with one. */
int64_t wp_media_id(const struct http_request *r);

/* The file name an upload of url sends, as Content-Disposition takes it; caller frees. */
char *wp_media_filename(const char *url, const char *content_type);

#endif
