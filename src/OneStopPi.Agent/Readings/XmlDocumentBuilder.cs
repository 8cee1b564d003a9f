using System.Text;

namespace OneStopPi.Agent.Readings;

/// <summary>
/// The few XML writing operations a reading document needs (elements in one default namespace, attributes,
/// text), written straight to UTF-8. System.Xml's XmlWriter did the same job and brought 0.3 MB of the
/// XML stack into the appliance binary (docs/benchmarks.md, "Binary size"). Callers pass only characters
/// XML 1.0 can carry (<see cref="ReadingDocumentWriter.Clean"/>); markup characters and white space that
/// a parser would normalise are escaped here.
/// </summary>
internal sealed class XmlDocumentBuilder
{
    private readonly StringBuilder _text = new("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    private readonly Stack<string> _open = new();
    private readonly string _namespace;
    private bool _startTagOpen;

    public XmlDocumentBuilder(string defaultNamespace) => _namespace = defaultNamespace;

    public void StartElement(string name)
    {
        CloseStartTag();
        _text.Append('<').Append(name);
        _startTagOpen = true;
        if (_open.Count == 0)
        {
            Attribute("xmlns", _namespace);
        }

        _open.Push(name);
    }

    public void Attribute(string name, string value)
    {
        if (!_startTagOpen)
        {
            throw new InvalidOperationException($"attribute {name} outside a start tag");
        }

        _text.Append(' ').Append(name).Append("=\"");
        Escape(value);
        _text.Append('"');
    }

    public void ElementString(string name, string text)
    {
        StartElement(name);
        CloseStartTag();
        Escape(text);
        EndElement();
    }

    public void EndElement()
    {
        string name = _open.Pop();
        if (_startTagOpen)
        {
            _text.Append(" />");
            _startTagOpen = false;
        }
        else
        {
            _text.Append("</").Append(name).Append('>');
        }
    }

    public byte[] ToUtf8()
    {
        if (_open.Count > 0)
        {
            throw new InvalidOperationException($"element {_open.Peek()} not ended");
        }

        return Encoding.UTF8.GetBytes(_text.ToString());
    }

    private void CloseStartTag()
    {
        if (_startTagOpen)
        {
            _text.Append('>');
            _startTagOpen = false;
        }
    }

    private void Escape(string value)
    {
        foreach (char c in value)
        {
            _ = c switch
            {
                '&' => _text.Append("&amp;"),
                '<' => _text.Append("&lt;"),
                '>' => _text.Append("&gt;"),
                '"' => _text.Append("&quot;"),
                '\t' => _text.Append("&#x9;"),
                '\n' => _text.Append("&#xA;"),
                '\r' => _text.Append("&#xD;"),
                _ => _text.Append(c),
            };
        }
    }
}
