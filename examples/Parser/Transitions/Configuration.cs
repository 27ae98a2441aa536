using System;

namespace MeProp.Examples.Parser;

/// <summary>
/// The state of an arc-standard parse of one sentence of n words (positions 1 .. n; position 0 is
/// the artificial ROOT): a stack that starts as [ROOT], a buffer that starts as 1 .. n, and the arcs
/// built so far. Reused across sentences (<see cref="Reset"/>) so that extracting millions of
/// training configurations and decoding allocate nothing per sentence once the arrays are large
/// enough.
/// </summary>
/// <remarks>
/// <para>
/// Legality keeps every parse a single-rooted tree: LEFT-ARC never gives ROOT a head, and RIGHT-ARC
/// attaches a word to ROOT only when the buffer is empty, so ROOT receives exactly one dependent,
/// the last word left on the stack. Every non-terminal configuration has a legal transition (SHIFT
/// while the buffer has words; then RIGHT-ARC, which is legal with two or more entries on the
/// stack), so greedy decoding over the legal transitions always ends in a tree.
/// </para>
/// <para>
/// The children the features read (the first and second leftmost and rightmost) are kept per word
/// as arcs are added, rather than searched for: a word's left children are the dependents at
/// smaller positions, ordered by position, and its right children those at larger positions.
/// </para>
/// </remarks>
public sealed class Configuration
{
    /// <summary>The position of the artificial root.</summary>
    public const int Root = 0;

    /// <summary>No word: an empty stack or buffer slot, a missing head or child.</summary>
    public const int None = -1;

    private int[] _stack = new int[16];
    private int[] _heads = new int[16], _labels = new int[16], _childCount = new int[16];
    private int[] _left1 = new int[16], _left2 = new int[16], _right1 = new int[16], _right2 = new int[16];

    /// <summary>Words in the sentence.</summary>
    public int Length { get; private set; }

    /// <summary>Entries on the stack, ROOT included.</summary>
    public int StackCount { get; private set; }

    /// <summary>The position of the buffer's first word; <see cref="Length"/> + 1 once the buffer is empty.</summary>
    public int BufferFront { get; private set; }

    public bool BufferIsEmpty => BufferFront > Length;

    /// <summary>True when the parse is complete: the buffer is empty and only ROOT is on the stack.</summary>
    public bool IsTerminal => BufferIsEmpty && StackCount == 1;

    /// <summary>Starts the parse of a sentence of <paramref name="length"/> words.</summary>
    public void Reset(int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "A sentence has at least one word.");
        if (_heads.Length < length + 1)
        {
            int size = Math.Max(length + 1, 2 * _heads.Length);
            _stack = new int[size + 1];
            _heads = new int[size]; _labels = new int[size]; _childCount = new int[size];
            _left1 = new int[size]; _left2 = new int[size]; _right1 = new int[size]; _right2 = new int[size];
        }
        Length = length;
        _stack[0] = Root;
        StackCount = 1;
        BufferFront = 1;
        for (int i = 0; i <= length; i++)
        {
            _heads[i] = None; _labels[i] = None; _childCount[i] = 0;
            _left1[i] = None; _left2[i] = None; _right1[i] = None; _right2[i] = None;
        }
    }

    /// <summary>The i-th entry from the top of the stack (0 is the top), or <see cref="None"/>.</summary>
    public int Stack(int i) => (uint)i < (uint)StackCount ? _stack[StackCount - 1 - i] : None;

    /// <summary>The i-th word of the buffer (0 is its front), or <see cref="None"/>.</summary>
    public int Buffer(int i) => i >= 0 && BufferFront + i <= Length ? BufferFront + i : None;

    /// <summary>The head assigned to <paramref name="word"/> so far, or <see cref="None"/>.</summary>
    public int HeadOf(int word) => _heads[word];

    /// <summary>The label of the arc into <paramref name="word"/>, or <see cref="None"/>.</summary>
    public int LabelOf(int word) => _labels[word];

    /// <summary>How many dependents <paramref name="word"/> has received so far.</summary>
    public int ChildCountOf(int word) => _childCount[word];

    /// <summary>The leftmost (<paramref name="rank"/> 1) or second leftmost (2) dependent to the left of <paramref name="word"/>, or <see cref="None"/> (also for <see cref="None"/> itself).</summary>
    public int LeftChild(int word, int rank) => word == None ? None : rank == 1 ? _left1[word] : _left2[word];

    /// <summary>The rightmost (<paramref name="rank"/> 1) or second rightmost (2) dependent to the right of <paramref name="word"/>, or <see cref="None"/>.</summary>
    public int RightChild(int word, int rank) => word == None ? None : rank == 1 ? _right1[word] : _right2[word];

    public bool CanShift => !BufferIsEmpty;

    /// <summary>LEFT-ARC needs two entries on the stack and a word, not ROOT, below the top.</summary>
    public bool CanLeftArc => StackCount >= 3;

    /// <summary>RIGHT-ARC needs two entries; onto ROOT only when the buffer is empty (one root per tree).</summary>
    public bool CanRightArc => StackCount >= 3 || (StackCount == 2 && BufferIsEmpty);

    public bool IsLegal(TransitionKind kind) => kind switch
    {
        TransitionKind.Shift => CanShift,
        TransitionKind.LeftArc => CanLeftArc,
        _ => CanRightArc,
    };

    /// <summary>Applies a transition; throws when it is not legal here.</summary>
    public void Apply(TransitionKind kind, int label)
    {
        if (!IsLegal(kind))
            throw new InvalidOperationException($"{kind} is not legal with {StackCount} entries on the stack and {Length - BufferFront + 1} words in the buffer.");
        switch (kind)
        {
            case TransitionKind.Shift:
                _stack[StackCount++] = BufferFront++;
                break;
            case TransitionKind.LeftArc:
            {
                int head = _stack[StackCount - 1], dependent = _stack[StackCount - 2];
                AddArc(head, dependent, label);
                _stack[StackCount - 2] = head;
                StackCount--;
                break;
            }
            default:
            {
                int head = _stack[StackCount - 2], dependent = _stack[StackCount - 1];
                AddArc(head, dependent, label);
                StackCount--;
                break;
            }
        }
    }

    /// <summary>Applies transition <paramref name="transition"/> of <paramref name="set"/>.</summary>
    public void Apply(TransitionSet set, int transition) => Apply(set.KindOf(transition), set.LabelOf(transition));

    private void AddArc(int head, int dependent, int label)
    {
        _heads[dependent] = head;
        _labels[dependent] = label;
        _childCount[head]++;
        if (dependent < head)
        {
            if (_left1[head] == None || dependent < _left1[head]) { _left2[head] = _left1[head]; _left1[head] = dependent; }
            else if (_left2[head] == None || dependent < _left2[head]) _left2[head] = dependent;
        }
        else
        {
            if (_right1[head] == None || dependent > _right1[head]) { _right2[head] = _right1[head]; _right1[head] = dependent; }
            else if (_right2[head] == None || dependent > _right2[head]) _right2[head] = dependent;
        }
    }

    /// <summary>Copies the heads (positions 1 .. n into <paramref name="heads"/>[0 .. n)) and labels of the finished parse.</summary>
    public void CopyTree(Span<int> heads, Span<int> labels)
    {
        for (int i = 1; i <= Length; i++) { heads[i - 1] = _heads[i]; labels[i - 1] = _labels[i]; }
    }
}
