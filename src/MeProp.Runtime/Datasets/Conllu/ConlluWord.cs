namespace MeProp.Datasets.Conllu;

/// <summary>
/// One word line of a CoNLL-U sentence: the ten columns, with ID and HEAD as numbers, and the line
/// of the file it came from.
/// </summary>
/// <remarks>
/// All ten columns are kept, not only the ones a tagger or parser reads, so that
/// <see cref="ConlluWriter"/> writes back what was read. A missing value is <c>_</c>, as in the
/// file, except HEAD, where it is null (there is no head word to point at).
/// </remarks>
/// <param name="Id">Column 1: the word's position in its sentence, 1, 2, 3, ...</param>
/// <param name="Form">Column 2: the word form as it appears in the text.</param>
/// <param name="Lemma">Column 3: the lemma.</param>
/// <param name="Upos">Column 4: the universal part-of-speech tag (NOUN, VERB, ...).</param>
/// <param name="Xpos">Column 5: the language-specific tag; for English EWT the Penn Treebank tag (NN, VBZ, ...).</param>
/// <param name="Feats">Column 6: morphological features (Number=Sing|...), unparsed.</param>
/// <param name="Head">Column 7: the id of the head word, 0 for the root; null for <c>_</c>.</param>
/// <param name="Deprel">Column 8: the dependency relation to the head (nsubj, obj, root, ...).</param>
/// <param name="Deps">Column 9: the enhanced dependency graph (head:deprel pairs), unparsed.</param>
/// <param name="Misc">Column 10: anything else (SpaceAfter=No, ...), unparsed.</param>
/// <param name="LineNumber">The 1-based line of the file the word was read from; 0 for a word made in code.</param>
public sealed record ConlluWord(
    int Id,
    string Form,
    string Lemma,
    string Upos,
    string Xpos,
    string Feats,
    int? Head,
    string Deprel,
    string Deps,
    string Misc,
    int LineNumber = 0);
