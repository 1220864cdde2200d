var part7 = 7; function f7() { return part7; }
