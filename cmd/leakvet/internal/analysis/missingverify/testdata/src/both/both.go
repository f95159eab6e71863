package both
