#ifndef TOWER_SIGNALS_H
#define TOWER_SIGNALS_H

/* Records SIGTERM, SIGHUP and SIGINT for the board's loop to act on (never acted on inside the handler),
   and unblocks them and SIGWINCH in case the parent process left them blocked. */
void tower_signals_install(void);

/* The signal recorded since the last call, or 0. */
int tower_signals_take(void);

/* The signal recorded and not yet taken, or 0 (long work asks this to stop early). */
int tower_signals_peek(void);

/* Whether the terminal read on `fd` has hung up (an SSH drop, a closed tmux pane). */
int tower_terminal_hung_up(int fd);

#endif
