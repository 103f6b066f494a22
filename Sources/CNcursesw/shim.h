#ifndef TOWER_NCURSES_SHIM_H
#define TOWER_NCURSES_SHIM_H

/* SwiftPM drops pkg-config's -D flags: ask for the wide-character API ourselves. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <signal.h>
#include <wchar.h>
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Globals and macros that Swift 6 cannot import safely, as functions. */
static inline WINDOW *tower_stdscr(void) { return stdscr; }
static inline int tower_lines(void) { return LINES; }
static inline int tower_cols(void) { return COLS; }
static inline int tower_colors(void) { return COLORS; }
static inline int tower_key_resize(void) { return KEY_RESIZE; }
static inline int tower_key_code_yes(void) { return KEY_CODE_YES; }
static inline int tower_err(void) { return ERR; }
static inline int tower_key_mouse(void) { return KEY_MOUSE; }

/* Asks the terminal to report clicks, double-clicks and the wheel (or nothing). */
static inline void tower_mouse(int on) {
    mmask_t wanted = on ? (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                           | BUTTON5_PRESSED
#endif
                           ) : 0;
    mousemask(wanted, NULL);
}

/* The mouse event wget_wch announced with KEY_MOUSE: 1 click, 2 double-click, 3 wheel up, 4 wheel down, 0 other. */
static inline int tower_read_mouse(int *y, int *x) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *y = event.y;
    *x = event.x;
    if (event.bstate & BUTTON1_DOUBLE_CLICKED) return 2;
    if (event.bstate & BUTTON1_CLICKED) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 3;
#ifdef BUTTON5_PRESSED
    if (event.bstate & BUTTON5_PRESSED) return 4;
#endif
    return 0;
}

static inline attr_t tower_a_bold(void) { return A_BOLD; }
static inline attr_t tower_a_dim(void) { return A_DIM; }
static inline attr_t tower_a_reverse(void) { return A_REVERSE; }
static inline attr_t tower_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tower_a_normal(void) { return A_NORMAL; }

/* Sets attributes and a colour pair of any number (COLOR_PAIR() holds only 8 bits). */
static inline int tower_set_attr(attr_t attrs, int pair) {
    return wattr_set(stdscr, attrs, (short)(pair & 0x7fff), &pair);
}

/* Draws a base character (possibly wide, with its combining marks) at y, x. */
static inline int tower_put_wchar(int y, int x, const wchar_t *text) {
    return mvwaddnwstr(stdscr, y, x, text, -1);
}

/* newterm instead of initscr: it returns NULL for an unknown terminal instead of exiting the process.
   Keys come from `input` (stdin, or /dev/tty when stdin carries a feed). */
static inline SCREEN *tower_newterm(FILE *input) { return newterm(NULL, stdout, input); }

/* Opens the controlling terminal for reading keys; NULL when there is none. */
static inline FILE *tower_open_tty(void) { return fopen("/dev/tty", "r"); }

static inline void tower_set_locale(void) { setlocale(LC_ALL, ""); }

/* Whether the locale's character set is UTF-8 (after setlocale). */
static inline int tower_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

/* A crash must not leave the terminal raw: restore it, then die of the same signal. */
static inline void tower_crash_handler(int sig) {
    endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}
static inline void tower_install_crash_handlers(void) {
    signal(SIGSEGV, tower_crash_handler);
    signal(SIGILL, tower_crash_handler);
    signal(SIGTRAP, tower_crash_handler);
    signal(SIGABRT, tower_crash_handler);
    signal(SIGBUS, tower_crash_handler);
    signal(SIGFPE, tower_crash_handler);
}

#endif
