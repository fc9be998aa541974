"""The portfolio trend: a daily point of the problems across every site, recorded on a schedule."""
