/*
 * Grouped rows (core/store_groups.h) checked in a preview: an option the mapping fills (option:NAME) that no
 * grouped row of the sample has a value for cannot tell the group's variants apart, which the shop then refuses
 * or shows as one; it is a warning naming the option, its column and how many grouped rows were read.
 */
#ifndef FEEDSYNC_ENGINE_GROUP_CHECK_H
#define FEEDSYNC_ENGINE_GROUP_CHECK_H

#include "core/problems.h"
#include "engine/preview.h"
#include "feed/conn.h"

void group_check(const struct conn_config *conn, const struct preview *p, struct problems *warnings);

#endif
