"""The course's calculations: pure functions, DataFrame in, DataFrame out, settings passed in."""
