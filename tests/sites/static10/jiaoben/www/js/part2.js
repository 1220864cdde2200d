var part2 = 2; function f2() { return part2; }
