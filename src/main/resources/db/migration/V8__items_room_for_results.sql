-- Room on each page for every row's result. An item row is inserted at about 175 bytes and its
-- result makes a new version of about 480 (the output, its usage, the times); at fillfactor 60 a
-- page filled by the insert had room for the results of a third of its rows, so two of every three
-- results moved to another page: a row lock, a new primary-key entry and a dead row left behind for
-- each. At 20 the results of a page's rows fit beside them and every update stays heap-only (HOT).
-- It applies to pages filled from now on (docs/decisions.md, "Room on each page for the results").
ALTER TABLE items SET (fillfactor = 20);
