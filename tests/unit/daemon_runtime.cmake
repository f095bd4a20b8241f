# unit tests of the daemon runtime's pure parts
