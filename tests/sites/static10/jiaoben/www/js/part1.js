var part1 = 1; function f1() { return part1; }
