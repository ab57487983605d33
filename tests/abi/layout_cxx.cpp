/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The layout checks of layout.c, compiled as C++: nameless unions, alignment attributes and
 * bit-fields must give C++ drivers the same x86-64 layouts as C drivers. */
#include "layout.c"
